/**
 * Benchmark 6: the store's and the target engine's own benchmark scripts
 * (written with their modules; called, not copied), their figures parsed
 * into the same table. Each script takes its own median internally, so
 * each runs once here.
 */
import { runChild } from '../harness/child.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';

async function runScript(script: string, arg: number): Promise<string> {
  const result = await runChild(process.execPath, ['--import', 'tsx', script, String(arg)], {
    core: 0,
    timeoutMs: 900_000,
  });
  if (result.code !== 0) throw new Error(`${script} exit ${result.code}: ${result.stderr.slice(-1000)}`);
  return result.stdout;
}

function runValues(output: string, pattern: RegExp): number[] {
  return [...output.matchAll(pattern)].map((m) => Number(m[1]));
}

export async function storeSuite(ctx: SuiteContext, rows: number): Promise<BenchRow[]> {
  const out = await runScript('bench/store-bench.ts', rows);
  const runs = runValues(out, /^run \d+: .* = (\d+) rows\/s/gm);
  const median = /^median: (\d+) rows\/s/m.exec(out);
  if (median === null || runs.length === 0) throw new Error(`store-bench printed no median: ${out.slice(-500)}`);
  ctx.log(`store: ${median[1]} rows/s`);
  return [
    {
      suite: 'store',
      metric: 'ingest into embedded chDB (bench/store-bench.ts)',
      unit: 'rows/s',
      runs,
      median: Number(median[1]),
      note: `${rows} synthetic rows per run, median of the script's 3 runs`,
    },
  ];
}

export async function targetsSuite(ctx: SuiteContext, millions: number): Promise<BenchRow[]> {
  const out = await runScript('bench/targets-bench.ts', millions);
  const value = (label: RegExp): number => {
    const match = label.exec(out);
    if (match === null) throw new Error(`targets-bench output lacks ${label.source}: ${out.slice(-500)}`);
    return Number(match[1]);
  };
  const plan = value(/^plan: wall time\s+([\d.]+) ms/m);
  const split = value(/^generate, split doubles .*?([\d.]+) M addresses\/s/m);
  const text = value(/^generate \+ format text .*?([\d.]+) M addresses\/s/m);
  ctx.log(`targets: plan ${plan} ms, ${split} M/s, text ${text} M/s`);
  const note = `bench/targets-bench.ts ${millions}: median of the script's 5 runs`;
  return [
    { suite: 'targets', metric: 'plan 0.0.0.0/0 minus reserved', unit: 'ms', runs: [plan], median: plan, note },
    { suite: 'targets', metric: 'generate permuted addresses', unit: 'M addresses/s', runs: [split], median: split },
    { suite: 'targets', metric: 'generate + format as text', unit: 'M addresses/s', runs: [text], median: text },
  ];
}
