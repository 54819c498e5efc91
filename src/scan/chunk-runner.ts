/**
 * The chunk runner: probes a sequence of addresses with bounded concurrency
 * and paced connection starts, and hands every record to a sink. The local
 * `stripscan scan` and the distributed worker both run exactly this; neither
 * the runner nor the sink knows which mode it is in.
 */
import pLimit from 'p-limit';
import type { ScanRecord } from '../record.js';
import { probeTarget, type DriverOptions, type RecordLabels } from '../probe/driver.js';
import { countRecord, emptyStats, type ChunkStats } from './chunk-stats.js';
import { UNPACED, type Pacer } from './pacer.js';

export interface ChunkRunOptions {
  addresses: Iterable<string>;
  port: number;
  concurrency: number;
  driver: DriverOptions;
  labels: RecordLabels;
  pacer?: Pacer;
  /** Receives each record; a returned promise is awaited before the slot frees (backpressure from the writer). */
  onRecord: (record: ScanRecord) => void | Promise<void>;
  /** Stop taking new addresses; probes in flight finish and are reported. */
  signal?: AbortSignal;
}

export async function runChunk(opts: ChunkRunOptions): Promise<ChunkStats> {
  const started = Date.now();
  const stats = emptyStats();
  const pacer = opts.pacer ?? UNPACED;
  const limit = pLimit(opts.concurrency);
  let sinkError: unknown = null;
  let wakeFeeder: (() => void) | null = null;
  // Our own count of launched-but-unsettled probes: p-limit's counters change
  // a few microtasks apart from our settle callbacks.
  let inFlight = 0;

  const probeOne = async (ip: string): Promise<void> => {
    if (sinkError !== null || opts.signal?.aborted === true) return;
    await pacer.take();
    const record = await probeTarget({ ip, port: opts.port }, opts.driver, opts.labels);
    countRecord(stats, record);
    await opts.onRecord(record);
  };
  const settled = (): void => {
    inFlight--;
    const wake = wakeFeeder;
    wakeFeeder = null;
    wake?.();
  };
  const failed = (err: unknown): void => {
    sinkError ??= err;
  };

  for (const ip of opts.addresses) {
    if (sinkError !== null || opts.signal?.aborted === true) break;
    // Keep the queue inside p-limit bounded: a chunk may hold millions of
    // addresses, and each pending task would hold memory.
    while (inFlight >= 2 * opts.concurrency) {
      await new Promise<void>((resolve) => (wakeFeeder = resolve));
    }
    inFlight++;
    limit(() => probeOne(ip))
      .catch(failed)
      .finally(settled);
  }
  while (inFlight > 0) {
    await new Promise<void>((resolve) => (wakeFeeder = resolve));
  }
  if (sinkError !== null) throw sinkError;
  stats.durationMs = Date.now() - started;
  return stats;
}
