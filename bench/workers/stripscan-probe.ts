/**
 * Benchmark 1, stripscan's side: the scan path without the store — chunk
 * runner, driver, state machine, classified record, JSON serialisation — over
 * the fleet's TLS hosts. Prints one JSON ThroughputResult line.
 */
import { runChunk } from '../../src/scan/chunk-runner.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { UNPACED } from '../../src/scan/pacer.js';
import { cycledHosts, readThroughputConfig, type ThroughputResult } from './throughput-config.js';

const config = readThroughputConfig(process.argv);
const tlsContext = createProbeTlsContext({ caFile: config.caFile });
let completed = 0;
let jsonBytes = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await runChunk({
  addresses: cycledHosts(config.hosts, config.probes),
  port: config.port,
  concurrency: config.concurrency,
  driver: {
    ehloName: 'bench.stripscan.localhost',
    forceStartTls: true,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    timeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    tlsContext,
  },
  labels: { campaign: 'bench', job: 'bench-probe', vantage: 'bench' },
  pacer: UNPACED,
  onRecord: (record) => {
    // What `scan --jsonl` pays per record, without the file.
    jsonBytes += JSON.stringify(record).length + 1;
    if (record.outcome === 'tls-ok' && record.error_stage === null) completed++;
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const result: ThroughputResult = {
  probes: config.probes,
  seconds,
  probesPerSecond: config.probes / seconds,
  completed,
  cpuUsPerProbe: (cpu.user + cpu.system) / config.probes,
  jsonBytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
