/**
 * Benchmark 3: testssl.sh (Debian's package) in mass mode with
 * `--starttls smtp`, server defaults and protocols (-S -p: the certificate
 * and the versions, the nearest to a stripscan record), against stripscan on
 * the same few hosts. --nodns none: testssl.sh would otherwise ask the
 * system resolver, which is not on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../harness/child.js';
import { ensureDebianTool } from '../harness/debian-tool.js';
import { median } from '../harness/median.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import type { SimProcess } from '../harness/sim-process.js';
import { stripscanCliScan } from '../harness/stripscan-cli-scan.js';

export async function testsslSuite(
  ctx: SuiteContext & { install: boolean },
  sim: SimProcess,
  hosts: string[],
): Promise<BenchRow[]> {
  const testssl = await ensureDebianTool(
    ['/usr/bin/testssl', '/usr/bin/testssl.sh'],
    'testssl.sh',
    ctx.install,
    ctx.log,
  );
  if (testssl === null) {
    return [
      { suite: 'testssl', metric: 'skipped', unit: '', runs: [], median: Number.NaN, note: 'testssl.sh not installed' },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-testssl-'));
  try {
    const massFile = join(dir, 'mass.txt');
    writeFileSync(massFile, hosts.map((ip) => `--starttls smtp ${ip}:${sim.port}\n`).join(''));
    const theirs: number[] = [];
    const ours: number[] = [];
    let completed = 0;
    for (let run = 1; run <= ctx.runs; run++) {
      const args = ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none', '--add-ca', sim.caFile];
      args.push('-S', '-p', '--parallel', '--file', massFile);
      const result = await runChild(testssl, args, { core: 0, timeoutMs: 600_000, cwd: dir });
      if (result.code !== 0 && result.timedOut) throw new Error('testssl.sh ran past 600 s');
      completed = (result.stdout.match(/^ Chain of trust /gm) ?? []).length;
      if (completed === 0) throw new Error(`testssl.sh reported no certificate: ${result.stdout.slice(-1000)}`);
      theirs.push(result.wallMs / 1000);
      const scan = await stripscanCliScan(sim, hosts, hosts.length, dir);
      ours.push(scan.wallMs / 1000);
      ctx.log(`testssl run ${run}: testssl.sh ${theirs.at(-1)?.toFixed(1)} s, stripscan ${ours.at(-1)?.toFixed(2)} s`);
    }
    const theirMedian = median(theirs);
    const ourMedian = median(ours);
    return [
      {
        suite: 'testssl',
        metric: `testssl.sh -S -p --parallel, ${hosts.length} hosts`,
        unit: 's wall',
        runs: theirs,
        median: theirMedian,
        note: `certificate and trust chain reported for ${completed} of ${hosts.length} hosts; also every protocol version and server defaults`,
      },
      {
        suite: 'testssl',
        metric: `stripscan scan, ${hosts.length} hosts`,
        unit: 's wall',
        runs: ours,
        median: ourMedian,
        ratio: { against: 'testssl.sh (speed-up)', value: theirMedian / ourMedian },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
