/**
 * `npm run bench`: start the simulated fleet (core 1), run the chosen suites
 * (scanners on core 0), print a table of medians and ratios, write
 * bench/results/latest.json. See BENCHMARKS.md for the figures and commands.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { UsageError } from '../src/errors.js';
import { REPO_ROOT } from './harness/child.js';
import { killChildrenOnExit } from './harness/child-registry.js';
import { machineFacts } from './harness/machine.js';
import { parseBenchOptions, USAGE, type BenchOptions, type Suite } from './harness/options.js';
import type { BenchRow, SuiteContext } from './harness/result.js';
import { rangeFor, startSimProcess, type SimProcess } from './harness/sim-process.js';
import { renderTable } from './harness/table.js';
import { concurrencySuite } from './suites/concurrency.js';
import { endToEndSuite } from './suites/end-to-end.js';
import { nmapSuite } from './suites/nmap.js';
import { probeSuite } from './suites/probe.js';
import { procsSuite } from './suites/procs.js';
import { storeSuite, targetsSuite } from './suites/store-and-targets.js';
import { testsslSuite } from './suites/testssl.js';

const NEEDS_FLEET: readonly Suite[] = ['probe', 'nmap', 'testssl', 'concurrency', 'procs'];

function runSuite(
  suite: Suite,
  opts: BenchOptions,
  ctx: SuiteContext,
  sim: SimProcess | null,
  tlsHosts: string[],
): Promise<BenchRow[]> {
  const withInstall = { ...ctx, install: opts.install };
  if (sim === null && NEEDS_FLEET.includes(suite)) throw new Error('no fleet');
  const fleet = sim as SimProcess;
  switch (suite) {
    case 'probe':
      return probeSuite(ctx, fleet, { hosts: tlsHosts, probes: opts.probes, concurrency: opts.concurrency });
    case 'nmap':
      return nmapSuite(withInstall, fleet, tlsHosts, opts.concurrency);
    case 'testssl':
      return testsslSuite(withInstall, fleet, tlsHosts.slice(0, opts.testsslHosts));
    case 'concurrency':
      return concurrencySuite(ctx, fleet, opts.inflight);
    case 'procs':
      return procsSuite(ctx, fleet, tlsHosts, { inflight: opts.procsInflight, procs: opts.procs });
    case 'e2e':
      return endToEndSuite(ctx, opts.e2ePrefix);
    case 'store':
      return storeSuite(ctx, opts.storeRows);
    case 'targets':
      return targetsSuite(ctx, opts.targetsMillions);
  }
}

async function runSuites(opts: BenchOptions, ctx: SuiteContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const sim: SimProcess | null = opts.only.some((s) => NEEDS_FLEET.includes(s))
    ? await startSimProcess(rangeFor(opts.hosts))
    : null;
  try {
    if (sim !== null) ctx.log(`fleet: ${sim.range} on port ${sim.port}`);
    const tlsHosts = sim?.hostsOf('postfix-tls-ok').slice(0, opts.hosts) ?? [];
    for (const suite of opts.only) {
      ctx.log(`suite ${suite} …`);
      try {
        rows.push(...(await runSuite(suite, opts, ctx, sim, tlsHosts)));
      } catch (err) {
        ctx.log(`suite ${suite} failed: ${err instanceof Error ? err.message : String(err)}`);
        rows.push({ suite, metric: 'failed', unit: '', runs: [], median: Number.NaN, note: String(err) });
      }
    }
  } finally {
    await sim?.stop();
  }
  return rows;
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  killChildrenOnExit();
  const machine = machineFacts();
  const ctx: SuiteContext = { runs: opts.runs, log: (m) => process.stderr.write(`bench: ${m}\n`) };
  ctx.log(`${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAtStart.join(' ')}`);
  const started = new Date().toISOString();
  const rows = await runSuites(opts, ctx);
  machine.loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  process.stdout.write(`${renderTable(rows)}\n`);
  const out = resolve(REPO_ROOT, opts.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ started, argv, machine, options: opts, rows }, null, 2)}\n`);
  ctx.log(`wrote ${out}`);
  return rows.some((r) => r.metric === 'failed') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
