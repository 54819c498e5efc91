/**
 * Benchmark 1: probes per second on one core, stripscan's probe path against
 * the floor loop, same hosts (persona postfix-tls-ok), same concurrency,
 * alternating runs so that a load spike on the shared machine hits both.
 */
import { median } from '../harness/median.js';
import { runTsWorker } from '../harness/child.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import type { SimProcess } from '../harness/sim-process.js';
import type { ThroughputConfig, ThroughputResult } from '../workers/throughput-config.js';

export interface ProbeSuiteOptions {
  hosts: string[];
  probes: number;
  concurrency: number;
}

async function measure(script: string, config: ThroughputConfig): Promise<ThroughputResult> {
  const result = await runTsWorker<ThroughputResult>(script, [JSON.stringify(config)], {
    core: 0,
    timeoutMs: 120_000 + config.probes * 20,
  });
  // A fast probe that did not finish the exchange measures nothing.
  if (result.completed !== config.probes) {
    throw new Error(`${script}: only ${result.completed} of ${config.probes} probes completed the TLS exchange`);
  }
  return result;
}

export async function probeSuite(ctx: SuiteContext, sim: SimProcess, opts: ProbeSuiteOptions): Promise<BenchRow[]> {
  const config: ThroughputConfig = {
    hosts: opts.hosts,
    port: sim.port,
    probes: opts.probes,
    concurrency: opts.concurrency,
    caFile: sim.caFile,
  };
  const stripscan: number[] = [];
  const floor: number[] = [];
  const floorFacts: number[] = [];
  const floorCarrier: number[] = [];
  const cpuPairs: number[] = [];
  /** stripscan over the floor loop within each interleaved pair: a load spike hits both sides of a pair. */
  const pairs: number[] = [];
  for (let run = 1; run <= ctx.runs; run++) {
    // The pair in alternating order, so that neither side always runs first after the other variants.
    let s: ThroughputResult;
    let f: ThroughputResult;
    if (run % 2 === 1) {
      s = await measure('bench/workers/stripscan-probe.ts', config);
      f = await measure('bench/floor-loop.ts', config);
    } else {
      f = await measure('bench/floor-loop.ts', config);
      s = await measure('bench/workers/stripscan-probe.ts', config);
    }
    pairs.push(s.probesPerSecond / f.probesPerSecond);
    cpuPairs.push(f.cpuUsPerProbe / s.cpuUsPerProbe);
    const facts = await measure('bench/floor-loop.ts', { ...config, certificate: 'facts' });
    const carrier = await measure('bench/floor-loop.ts', { ...config, carrier: 'js' });
    stripscan.push(s.probesPerSecond);
    floor.push(f.probesPerSecond);
    floorFacts.push(facts.probesPerSecond);
    floorCarrier.push(carrier.probesPerSecond);
    ctx.log(
      `probe run ${run}: stripscan ${s.probesPerSecond.toFixed(0)}/s, floor loop ${f.probesPerSecond.toFixed(0)}/s, ` +
        `+ readCertFacts ${facts.probesPerSecond.toFixed(0)}/s, over the STARTTLS tap ${carrier.probesPerSecond.toFixed(0)}/s; ` +
        `CPU per probe ${s.cpuUsPerProbe.toFixed(0)} vs ${f.cpuUsPerProbe.toFixed(0)} µs`,
    );
  }
  const floorMedian = median(floor);
  const detail = `${opts.probes} probes over ${opts.hosts.length} hosts, concurrency ${opts.concurrency}`;
  return [
    {
      suite: 'probe',
      metric: 'stripscan probe path',
      unit: 'probes/s',
      runs: stripscan,
      median: median(stripscan),
      ratio: { against: 'floor loop', value: median(stripscan) / floorMedian },
      note: `${detail}; goal ≥ 0.95× the floor loop`,
    },
    {
      suite: 'probe',
      metric: 'stripscan ÷ floor loop, per interleaved pair',
      unit: '×',
      runs: pairs,
      median: median(pairs),
      note: `spread ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)} over ${pairs.length} pairs`,
    },
    { suite: 'probe', metric: 'floor loop (bench/floor-loop.ts)', unit: 'probes/s', runs: floor, median: floorMedian },
    {
      suite: 'probe',
      metric: 'floor loop + readCertFacts',
      unit: 'probes/s',
      runs: floorFacts,
      median: median(floorFacts),
      ratio: { against: 'floor loop', value: median(floorFacts) / floorMedian },
      note: 'the certificate facts stripscan reads (src/probe/cert-facts.ts), priced on the floor loop',
    },
    {
      suite: 'probe',
      metric: 'floor loop over the STARTTLS tap',
      unit: 'probes/s',
      runs: floorCarrier,
      median: median(floorCarrier),
      ratio: { against: 'floor loop', value: median(floorCarrier) / floorMedian },
      note: 'TLS over src/probe/tls-tap.ts (what keeps plaintext after the 220 out of TLS) instead of the native socket',
    },
    {
      suite: 'probe',
      metric: 'floor ÷ stripscan CPU per probe, per interleaved pair',
      unit: '×',
      runs: cpuPairs,
      median: median(cpuPairs),
      note: `process CPU (user + system) per probe; spread ${Math.min(...cpuPairs).toFixed(2)}–${Math.max(...cpuPairs).toFixed(2)}`,
    },
  ];
}
