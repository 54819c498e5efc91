/**
 * The batched observation writer. Records are checked and encoded on write()
 * into the batch's Native blocks (observation-batch.ts); a batch goes out
 * when it reaches batchRows or flushMs after its first record. One insert at a time: the embedded engine serialises them
 * anyway, and it bounds memory to the buffer plus one batch in flight.
 * job_stats and campaigns rows go the same way, in order.
 *
 * Failure path (store-sink.ts): retries with backoff, then the batch goes to
 * the spool (nothing lost); during an outage batches spool at once. The
 * spool is loaded by `stripscan store replay`, by the next writer on the same
 * spool folder before its first insert, and, with replayEveryMs, by this
 * writer on a timer (nothing counted twice: see spool.ts).
 */
import type { ScanRecord } from '../record.js';
import { StoreError, type StripscanError } from '../errors.js';
import { campaignInsertRow, jobStatsInsertRow, type CampaignRow, type JobStatsRow } from './campaign-tables.js';
import { batchDedupToken } from './dedup-token.js';
import { jsonRowsBatch } from './insert-batch.js';
import { checkRecord } from './check-record.js';
import { ObservationBatch, type EncodedBatch } from './observation-batch.js';
import type { Store } from './open-store.js';
import { replaySpool, type ReplayResult } from './replay-spool.js';
import { DEFAULT_SPOOL_RESERVE_BYTES, keepSpoolReserve } from './spool-reserve.js';
import type { Spoolable, SpoolTable } from './spool.js';
import { StoreSink, type RefusalPolicy } from './store-sink.js';
import { storeFailure } from './store-errors.js';

export interface WriterOptions {
  /** Rows per insert (default 50,000: ClickHouse likes ≥ 10,000-row inserts about once a second). */
  batchRows?: number;
  /** Longest time a record waits in the buffer (default 1,000 ms). */
  flushMs?: number;
  /** Default: the store's spool folder. */
  spoolDir?: string;
  /** write() returns a promise that waits while this many rows are buffered or in flight (default 4 × batchRows). */
  maxPendingRows?: number;
  /** Insert attempts before spooling (default 5). */
  attempts?: number;
  /** First backoff delay, doubled per attempt (default 200 ms). */
  backoffMs?: number;
  /** Load spooled batches before the first new insert (default true). */
  replaySpoolOnStart?: boolean;
  /** Also load the spool this often while the writer runs (default: never). */
  replayEveryMs?: number;
  /** Bytes kept free for the spool on its disk (default 32 MiB; 0: none). */
  spoolReserveBytes?: number;
  /** Told about every replay that loaded, skipped or left something. */
  onReplay?: (result: ReplayResult) => void;
}

export interface PutOptions {
  /**
   * What to do when ClickHouse refuses the rows: spool them (default; the
   * scan has no other copy), or throw the StoreError back to a caller that
   * keeps its own copy and decides (the stream writer).
   */
  ifRefused?: RefusalPolicy;
}

export interface WriterStats {
  rowsInserted: number;
  batchesInserted: number;
  batchesSpooled: number;
  /** Observation rows spooled. */
  rowsSpooled: number;
  /** Rows spooled per table, observations included. */
  spooledByTable: Record<SpoolTable, number>;
  spoolReplayedRows: number;
}

export interface RecordWriter {
  write(record: ScanRecord): Promise<void> | void;
  /** One insert with the caller's dedup token; an outage spools it. */
  writeBatch(records: ScanRecord[], dedupToken: string, opts?: PutOptions): Promise<'inserted' | 'spooled'>;
  /** Campaign rows, in one insert, inserted or spooled in order with the batches. */
  writeCampaigns(rows: CampaignRow[], opts?: PutOptions): Promise<'inserted' | 'spooled'>;
  /** A job's statistics, inserted or spooled in order with the batches. */
  writeJobStats(row: JobStatsRow, opts?: PutOptions): Promise<'inserted' | 'spooled'>;
  /** Loads the spool now (in order with the inserts). */
  replaySpool(): Promise<ReplayResult>;
  /**
   * After an outage: true, and inserts are tried again at once, when the
   * spool loads completely and a server answers /ping; false while the store
   * is still away.
   */
  probeStore(): Promise<boolean>;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly pendingRows: number;
  readonly stats: Readonly<WriterStats>;
  readonly spoolDir: string;
  /** The store outage in progress, if the last insert failed for one. */
  readonly outage: StripscanError | null;
  /** The first outage met by this writer. */
  readonly firstOutage: StripscanError | null;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StoreError(
      'E_WRITER_OPTIONS',
      `writer option ${name}: expected a whole number from ${min} up, got ${value}`,
    );
  }
  return value;
}

export function createWriter(store: Store, opts: WriterOptions = {}): RecordWriter {
  const batchRows = positiveInt('batchRows', opts.batchRows, 50_000);
  const flushMs = positiveInt('flushMs', opts.flushMs, 1_000);
  const maxPendingRows = positiveInt('maxPendingRows', opts.maxPendingRows, 4 * batchRows);
  const reserveBytes = positiveInt('spoolReserveBytes', opts.spoolReserveBytes, DEFAULT_SPOOL_RESERVE_BYTES, 0);
  const spoolDir = opts.spoolDir ?? store.spoolDir;
  const sink = new StoreSink(store, {
    spoolDir,
    attempts: positiveInt('attempts', opts.attempts, 5),
    backoffMs: positiveInt('backoffMs', opts.backoffMs, 200),
  });
  let spoolReplayedRows = 0;
  const batch = new ObservationBatch(batchRows);
  // writeBatch() encodes a whole batch in one call, apart from the one write() fills.
  const whole = new ObservationBatch();
  let firstRecord: ScanRecord | undefined;
  let inFlightRows = 0;
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  let closed = false;
  const sequences = new Map<string, number>();
  const waiters: (() => void)[] = [];

  // Every insert, spool write and replay runs on this chain, in order.
  let chain: Promise<unknown> = keepSpoolReserve(spoolDir, reserveBytes);

  async function replay(): Promise<ReplayResult> {
    const result = await replaySpool(store, spoolDir);
    spoolReplayedRows += result.rows;
    if (result.stoppedBy !== null) sink.storeIsDown(result.stoppedBy);
    else if (result.files > 0) sink.storeIsBack();
    // An empty spool: take the reserve back if a full disk spent it.
    if (result.waiting === 0 && result.skipped.length === 0) await keepSpoolReserve(spoolDir, reserveBytes);
    if (result.files > 0 || result.skipped.length > 0 || result.waiting > 0) opts.onReplay?.(result);
    return result;
  }

  function onChain<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task);
    chain = run.catch(() => undefined);
    return run;
  }

  if (opts.replaySpoolOnStart !== false) {
    // Failures here are the spool's own (an unreadable folder): the files stay for a later replay.
    void onChain(replay).catch(() => undefined);
  }
  let replayTimer: NodeJS.Timeout | undefined;
  if (opts.replayEveryMs !== undefined) {
    const every = positiveInt('replayEveryMs', opts.replayEveryMs, 30_000);
    replayTimer = setInterval(() => void onChain(replay).catch(() => undefined), every);
    replayTimer.unref();
  }

  const pending = () => batch.rows + inFlightRows;

  function releaseWaiters(): void {
    while (waiters.length > 0 && (pending() < maxPendingRows || failure !== undefined)) waiters.shift()?.();
  }

  function enqueue(item: Spoolable, refused: RefusalPolicy, encoded?: EncodedBatch): Promise<'inserted' | 'spooled'> {
    inFlightRows += item.rows;
    const run = onChain(() => sink.put(item, refused));
    return run.finally(() => {
      encoded?.release();
      inFlightRows -= item.rows;
      releaseWaiters();
    });
  }

  function observations(encoded: EncodedBatch, token: string): Spoolable {
    return { table: 'observations', format: 'Native', token, body: encoded.body, rows: encoded.rows };
  }

  function cutBatch(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch.rows === 0 || !firstRecord) return;
    const key = `${firstRecord.campaign}\u0000${firstRecord.job}`;
    const sequence = sequences.get(key) ?? 0;
    sequences.set(key, sequence + 1);
    const encoded = batch.take();
    const token = batchDedupToken(firstRecord.campaign, firstRecord.job, sequence, encoded.digest);
    firstRecord = undefined;
    // The scan holds no other copy: a refused batch is spooled, not dropped.
    // What still fails (neither stored nor spooled) surfaces on the next write/flush.
    enqueue(observations(encoded, token), 'spool', encoded).catch((err: unknown) => {
      failure ??= err;
      releaseWaiters();
    });
  }

  function assertUsable(): void {
    if (closed) throw new StoreError('E_WRITER_CLOSED', 'the record writer is closed');
    if (failure !== undefined) {
      throw failure instanceof StoreError
        ? failure
        : new StoreError('E_WRITER_FAILED', 'the record writer failed', { cause: failure });
    }
  }

  return {
    get pendingRows() {
      return pending();
    },
    get stats(): WriterStats {
      const s = sink.stats;
      return {
        rowsInserted: s.rowsInserted,
        batchesInserted: s.batchesInserted,
        batchesSpooled: s.batchesSpooled,
        rowsSpooled: s.rowsSpooled.observations,
        spooledByTable: { ...s.rowsSpooled },
        spoolReplayedRows,
      };
    },
    spoolDir,
    get outage() {
      return sink.outage;
    },
    get firstOutage() {
      return sink.firstOutage;
    },
    write(record) {
      assertUsable();
      checkRecord(record);
      if (batch.rows === 0) {
        firstRecord = record;
        timer = setTimeout(cutBatch, flushMs);
        timer.unref();
      }
      batch.add(record);
      if (batch.rows >= batchRows) cutBatch();
      if (pending() < maxPendingRows) return;
      return new Promise<void>((resolve) => waiters.push(resolve)).then(assertUsable);
    },
    async writeBatch(records, dedupToken, put = {}) {
      assertUsable();
      if (records.length === 0) return 'inserted';
      for (const r of records) checkRecord(r);
      for (const r of records) whole.add(r);
      const encoded = whole.take();
      return enqueue(observations(encoded, dedupToken), put.ifRefused ?? 'spool', encoded);
    },
    async writeCampaigns(rows, put = {}) {
      assertUsable();
      const now = new Date();
      return enqueue(
        jsonRowsBatch(
          'campaigns',
          rows.map((row) => campaignInsertRow(row, now)),
        ),
        put.ifRefused ?? 'spool',
      );
    },
    async writeJobStats(row, put = {}) {
      assertUsable();
      return enqueue(jsonRowsBatch('job_stats', [jobStatsInsertRow(row)]), put.ifRefused ?? 'spool');
    },
    replaySpool: () => onChain(replay),
    probeStore: () =>
      onChain(async () => {
        const result = await replay();
        if (result.stoppedBy !== null) return false;
        try {
          await store.checkReachable();
        } catch (err) {
          sink.storeIsDown(storeFailure(err, store.description) as StripscanError);
          return false;
        }
        sink.storeIsBack();
        return true;
      }),
    async flush() {
      assertUsable();
      cutBatch();
      await chain;
      assertUsable();
    },
    async close() {
      if (closed) return;
      if (replayTimer) clearInterval(replayTimer);
      cutBatch();
      await chain;
      closed = true;
      if (failure !== undefined) {
        throw failure instanceof StoreError
          ? failure
          : new StoreError('E_WRITER_FAILED', 'the record writer failed before close', { cause: failure });
      }
    },
  };
}
