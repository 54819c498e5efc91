/**
 * The batched observation writer. Records are serialised on write() into a
 * buffer; a batch goes out when it reaches batchRows or flushMs after its
 * first record. One insert at a time: the embedded engine serialises them
 * anyway, and it bounds memory to the buffer plus one batch in flight.
 *
 * Failure path: retries with exponential backoff, then the batch is spooled
 * to a local file with its dedup token (nothing lost); the next writer on the same
 * spool folder, or `stripscan store replay`, loads it (nothing counted twice).
 */
import type { ScanRecord } from '../record.js';
import { StoreError } from '../errors.js';
import { batchDedupToken } from './dedup-token.js';
import { checkRecord, observationLine } from './observation-line.js';
import type { Store } from './open-store.js';
import { replaySpool } from './replay-spool.js';
import { spoolBatch } from './spool.js';

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
}

export interface WriterStats {
  rowsInserted: number;
  batchesInserted: number;
  batchesSpooled: number;
  rowsSpooled: number;
  spoolReplayedRows: number;
}

export interface RecordWriter {
  write(record: ScanRecord): Promise<void> | void;
  writeBatch(records: ScanRecord[], dedupToken: string): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly pendingRows: number;
  readonly stats: Readonly<WriterStats>;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StoreError('E_WRITER_OPTIONS', `writer option ${name}: expected a whole number from 1 up, got ${value}`);
  }
  return value;
}

export function createWriter(store: Store, opts: WriterOptions = {}): RecordWriter {
  const batchRows = positiveInt('batchRows', opts.batchRows, 50_000);
  const flushMs = positiveInt('flushMs', opts.flushMs, 1_000);
  const maxPendingRows = positiveInt('maxPendingRows', opts.maxPendingRows, 4 * batchRows);
  const attempts = positiveInt('attempts', opts.attempts, 5);
  const backoffMs = positiveInt('backoffMs', opts.backoffMs, 200);
  const spoolDir = opts.spoolDir ?? store.spoolDir;

  const stats: WriterStats = {
    rowsInserted: 0,
    batchesInserted: 0,
    batchesSpooled: 0,
    rowsSpooled: 0,
    spoolReplayedRows: 0,
  };
  let lines: string[] = [];
  let firstRecord: ScanRecord | undefined;
  let inFlightRows = 0;
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  let closed = false;
  const sequences = new Map<string, number>();
  const waiters: (() => void)[] = [];

  // Every insert and spool write runs on this chain, in order.
  let chain: Promise<void> = Promise.resolve();
  if (opts.replaySpoolOnStart !== false) {
    chain = replaySpool(store, spoolDir).then(
      (r) => {
        stats.spoolReplayedRows += r.rows;
      },
      () => {
        // Store still unreachable or a corrupt file: the files stay for a later replay.
      },
    );
  }

  const pending = () => lines.length + inFlightRows;

  function releaseWaiters(): void {
    while (waiters.length > 0 && (pending() < maxPendingRows || failure !== undefined)) waiters.shift()?.();
  }

  async function insertWithRetry(body: Buffer, token: string, rows: number): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
      try {
        await store.insertObservations(body, token);
        stats.rowsInserted += rows;
        stats.batchesInserted += 1;
        return;
      } catch (err) {
        lastError = err;
      }
    }
    try {
      await spoolBatch(spoolDir, token, body, rows);
    } catch (cause) {
      throw new StoreError('E_SPOOL_WRITE', `insert failed and the batch could not be spooled to ${spoolDir}`, {
        cause: new AggregateError([lastError, cause]),
      });
    }
    stats.batchesSpooled += 1;
    stats.rowsSpooled += rows;
  }

  function enqueue(body: Buffer, token: string, rows: number): Promise<void> {
    inFlightRows += rows;
    const run = chain.then(() => insertWithRetry(body, token, rows));
    chain = run.then(
      () => {
        inFlightRows -= rows;
        releaseWaiters();
      },
      (err: unknown) => {
        inFlightRows -= rows;
        failure ??= err;
        releaseWaiters();
      },
    );
    return run;
  }

  function cutBatch(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0 || !firstRecord) return;
    const body = Buffer.from(lines.join('\n'));
    const rows = lines.length;
    const key = `${firstRecord.campaign}\u0000${firstRecord.job}`;
    const sequence = sequences.get(key) ?? 0;
    sequences.set(key, sequence + 1);
    const token = batchDedupToken(firstRecord.campaign, firstRecord.job, sequence, body);
    lines = [];
    firstRecord = undefined;
    // Failures surface through `failure` on the next write/flush.
    enqueue(body, token, rows).catch(() => undefined);
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
    get stats() {
      return stats;
    },
    write(record) {
      assertUsable();
      checkRecord(record);
      if (lines.length === 0) {
        firstRecord = record;
        timer = setTimeout(cutBatch, flushMs);
        timer.unref();
      }
      lines.push(observationLine(record));
      if (lines.length >= batchRows) cutBatch();
      if (pending() < maxPendingRows) return;
      return new Promise<void>((resolve) => waiters.push(resolve)).then(assertUsable);
    },
    async writeBatch(records, dedupToken) {
      assertUsable();
      if (records.length === 0) return;
      for (const r of records) checkRecord(r);
      await enqueue(Buffer.from(records.map(observationLine).join('\n')), dedupToken, records.length);
    },
    async flush() {
      assertUsable();
      cutBatch();
      await chain;
      assertUsable();
    },
    async close() {
      if (closed) return;
      cutBatch();
      await chain;
      closed = true;
      if (failure !== undefined) {
        throw new StoreError('E_WRITER_FAILED', 'the record writer failed before close', { cause: failure });
      }
    },
  };
}
