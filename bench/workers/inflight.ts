/**
 * Benchmark 4, in its own process: N probes in flight at once against silent
 * hosts (the fleet's no-banner persona), through the real chunk runner and
 * driver. Samples RSS while they wait; every probe ends by its deadline.
 * Prints one JSON InflightResult line. Run with --expose-gc for a clean baseline.
 */
import { runChunk } from '../../src/scan/chunk-runner.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { UNPACED } from '../../src/scan/pacer.js';
import { cycledHosts } from './throughput-config.js';

export interface InflightConfig {
  hosts: string[];
  port: number;
  inflight: number;
  /** Per-probe deadline: how long the probes stay in flight. */
  timeoutMs: number;
}

export interface InflightResult {
  inflight: number;
  baselineRss: number;
  peakRss: number;
  peakHeapUsed: number;
  bytesPerProbe: number;
  outcomes: Record<string, number>;
}

const config = JSON.parse(process.argv[2] ?? '') as InflightConfig;
const tlsContext = createProbeTlsContext();
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
let peakHeapUsed = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
}, 200);
const outcomes: Record<string, number> = {};
await runChunk({
  addresses: cycledHosts(config.hosts, config.inflight),
  port: config.port,
  concurrency: config.inflight,
  driver: {
    ehloName: 'bench.stripscan.localhost',
    forceStartTls: true,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.timeoutMs,
    tlsContext,
  },
  labels: { campaign: 'bench', job: 'bench-inflight', vantage: 'bench' },
  pacer: UNPACED,
  onRecord: (record) => {
    outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
  },
});
clearInterval(sampler);
const result: InflightResult = {
  inflight: config.inflight,
  baselineRss,
  peakRss,
  peakHeapUsed,
  bytesPerProbe: (peakRss - baselineRss) / config.inflight,
  outcomes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
