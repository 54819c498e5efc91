/**
 * The chunk runner: probes a sequence of addresses with bounded concurrency
 * and paced connection starts, and hands every record to a sink. The local
 * `stripscan scan` and the distributed worker both run exactly this; neither
 * the runner nor the sink knows which mode it is in.
 */
import pLimit from 'p-limit';
import type { ScanRecord } from '../record.js';
import {
  probeTarget,
  probeTargetWithChain,
  type DriverOptions,
  type ProbeTarget,
  type RecordLabels,
} from '../probe/driver.js';
import { TargetNames } from '../targets/index.js';
import { countRecord, emptyStats, type ChunkStats } from './chunk-stats.js';
import { loopMonitor } from './loop-monitor.js';
import { OverloadGuard } from './overload-guard.js';
import { UNPACED, type Pacer } from './pacer.js';
import type { ProbeSlots } from './probe-slots.js';

export interface ChunkRunOptions {
  /** In plan order; an async source lets a scan process take chunks as it goes (scan-part.ts). */
  addresses: Iterable<string> | AsyncIterable<string>;
  /** Names targets carried: an address gets one probe per name (and one without, when listed bare). */
  names?: TargetNames;
  port: number;
  concurrency: number;
  driver: DriverOptions;
  labels: RecordLabels;
  pacer?: Pacer;
  /**
   * Slots shared with the other chunks this process runs, oldest chunk
   * (lowest rank) first (probe-slots.ts); taken before the guard and the
   * pacer. None: `concurrency` alone bounds the chunk.
   */
  slots?: { pool: ProbeSlots; rank: number };
  /** Receives each record; a returned promise is awaited before the slot frees (backpressure from the writer). */
  onRecord: (record: ScanRecord, peerChain: Buffer[] | null) => void | Promise<void>;
  /** Keep the certificate chain each server sent and hand it to onRecord (DANE, `stripscan domains`); else null. */
  keepPeerChain?: boolean;
  /** Stop taking new addresses, and connect no more (also not after waiting for a token); probes in flight finish and are reported. */
  signal?: AbortSignal;
}

export async function runChunk(opts: ChunkRunOptions): Promise<ChunkStats> {
  const monitor = loopMonitor();
  monitor.start();
  try {
    return await runWithMonitor(opts, new OverloadGuard(monitor), { ...opts.driver, stalls: monitor });
  } finally {
    monitor.stop();
  }
}

/**
 * The guard holds new probes while our loop lags; the monitor gives stalls back to every step deadline, so a
 * starved machine slows the scan instead of writing its own lateness into the records as server timeouts.
 */
async function runWithMonitor(opts: ChunkRunOptions, guard: OverloadGuard, driver: DriverOptions): Promise<ChunkStats> {
  const started = Date.now();
  const stats = emptyStats();
  const pacer = opts.pacer ?? UNPACED;
  const limit = pLimit(opts.concurrency);
  let sinkError: unknown = null;
  let wakeFeeder: (() => void) | null = null;
  // Our own count of launched-but-unsettled probes: p-limit's counters change
  // a few microtasks apart from our settle callbacks.
  let inFlight = 0;

  const probe = async (target: ProbeTarget): Promise<void> => {
    await guard.ready();
    await pacer.take(opts.signal);
    // Aborted while waiting for the token: connect no more.
    if (opts.signal?.aborted) return;
    const { record, chain } = opts.keepPeerChain
      ? await probeTargetWithChain(target, driver, opts.labels)
      : { record: await probeTarget(target, driver, opts.labels), chain: null };
    countRecord(stats, record);
    await opts.onRecord(record, chain);
  };
  const { slots } = opts;
  const probeOne = async (target: ProbeTarget): Promise<void> => {
    if (sinkError !== null || opts.signal?.aborted === true) return;
    if (slots === undefined) return probe(target);
    // Aborted while waiting for a slot: connect no more.
    if (!(await slots.pool.acquire(slots.rank, opts.signal))) return;
    try {
      await probe(target);
    } finally {
      slots.pool.release();
    }
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

  for await (const target of probeTargets(opts.addresses, opts.port, opts.names ?? TargetNames.NONE)) {
    if (sinkError !== null || opts.signal?.aborted === true) break;
    // Keep the queue inside p-limit bounded: a chunk may hold millions of
    // addresses, and each pending task would hold memory.
    while (inFlight >= 2 * opts.concurrency) {
      await new Promise<void>((resolve) => (wakeFeeder = resolve));
    }
    inFlight++;
    limit(() => probeOne(target))
      .catch(failed)
      .finally(settled);
  }
  while (inFlight > 0) {
    await new Promise<void>((resolve) => (wakeFeeder = resolve));
  }
  guard.close();
  if (sinkError !== null) throw sinkError;
  stats.heldMs = guard.heldMs;
  stats.durationMs = Date.now() - started;
  return stats;
}

/** Each address's probes, in plan order: one per name it carries, or one without a name. */
async function* probeTargets(
  addresses: Iterable<string> | AsyncIterable<string>,
  port: number,
  names: TargetNames,
): AsyncGenerator<ProbeTarget> {
  for await (const ip of addresses) {
    for (const name of names.probesOf(ip)) yield name === undefined ? { ip, port } : { ip, port, name };
  }
}
