/**
 * Benchmark 4: probes in flight in one process against silent hosts, RSS
 * and bytes per in-flight probe. Every probe holds a socket, so the open
 * files limit caps the count (20,000 on the reference machine, not raisable
 * there): the default stays just under it.
 */
import { runTsWorker } from '../harness/child.js';
import { median } from '../harness/median.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import type { SimProcess } from '../harness/sim-process.js';
import type { InflightConfig, InflightResult } from '../workers/inflight.js';

export async function concurrencySuite(ctx: SuiteContext, sim: SimProcess, inflight: number): Promise<BenchRow[]> {
  const config: InflightConfig = { hosts: sim.hostsOf('no-banner'), port: sim.port, inflight, timeoutMs: 15_000 };
  const rss: number[] = [];
  const perProbe: number[] = [];
  for (let run = 1; run <= ctx.runs; run++) {
    const last = await runTsWorker<InflightResult>('bench/workers/inflight.ts', [JSON.stringify(config)], {
      core: 0,
      timeoutMs: 120_000,
      nodeFlags: ['--expose-gc'],
    });
    // Only probes that waited out the silent banner were really in flight together.
    if ((last.outcomes['no-banner'] ?? 0) !== inflight) {
      throw new Error(`expected ${inflight} no-banner outcomes, got ${JSON.stringify(last.outcomes)}`);
    }
    rss.push(last.peakRss / 2 ** 20);
    perProbe.push(last.bytesPerProbe);
    ctx.log(
      `concurrency run ${run}: peak RSS ${(last.peakRss / 2 ** 20).toFixed(0)} MiB, ${last.bytesPerProbe.toFixed(0)} B/probe`,
    );
  }
  const note = `${inflight} probes in flight over ${config.hosts.length} silent hosts, all ended no-banner at the 15 s deadline; goal RSS < 1 GB`;
  return [
    {
      suite: 'concurrency',
      metric: `peak RSS, ${inflight} in flight`,
      unit: 'MiB',
      runs: rss,
      median: median(rss),
      note,
    },
    {
      suite: 'concurrency',
      metric: 'memory per in-flight probe',
      unit: 'bytes',
      runs: perProbe,
      median: median(perProbe),
    },
  ];
}
