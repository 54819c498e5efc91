/**
 * Where a batch goes: into the store, or, when the store cannot take it, into
 * the spool, so that nothing a scan produced is lost to a store outage.
 *
 * - A failed insert is retried with exponential backoff, then spooled.
 * - During an outage (ClickHouse unreachable, its disk full) retrying every
 *   batch would only slow the scan down: after an outage batches go straight
 *   to the spool, and one insert is tried again after a pause that doubles
 *   up to 30 s (a circuit breaker). The first insert that succeeds ends it.
 * - A batch ClickHouse refuses is spooled too (`refused: 'spool'`, the scan's
 *   choice: it has no other copy), or thrown back to a caller that keeps its
 *   own copy and decides (`refused: 'throw'`, the stream writer).
 * - The spool keeps a reserve on its disk (spool-reserve.ts) for the day that
 *   disk is the one that filled up.
 */
import { StoreError, type StripscanError } from '../errors.js';
import { insertBatch } from './insert-batch.js';
import type { Store } from './open-store.js';
import { spendSpoolReserve } from './spool-reserve.js';
import { spoolBatch, type Spoolable, type SpoolTable } from './spool.js';
import { isStoreOutage, oneLine, storeFailure } from './store-errors.js';

export interface SinkOptions {
  spoolDir: string;
  /** Insert attempts before spooling, outside an outage. */
  attempts: number;
  /** First backoff delay, doubled per attempt. */
  backoffMs: number;
}

export type RefusalPolicy = 'spool' | 'throw';

export interface SinkStats {
  rowsInserted: number;
  batchesInserted: number;
  batchesSpooled: number;
  /** Rows spooled by this process, per table. */
  rowsSpooled: Record<SpoolTable, number>;
}

const BREAKER_FIRST_MS = 1_000;
const BREAKER_MAX_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StoreSink {
  readonly stats: SinkStats = {
    rowsInserted: 0,
    batchesInserted: 0,
    batchesSpooled: 0,
    rowsSpooled: { observations: 0, job_stats: 0, campaigns: 0 },
  };
  /** The outage in progress (null when the last insert succeeded). */
  outage: StripscanError | null = null;
  /** The first outage this sink met, for the end-of-scan warning. */
  firstOutage: StripscanError | null = null;
  private breakerMs = 0;
  private retryAt = 0;

  constructor(
    private readonly store: Pick<Store, 'client' | 'insertObservations' | 'description'>,
    private readonly opts: SinkOptions,
  ) {}

  /** Inserts the batch, or spools it; throws only when it can do neither (or on a refusal it was told to throw). */
  async put(batch: Spoolable, refused: RefusalPolicy): Promise<'inserted' | 'spooled'> {
    if (batch.rows === 0) return 'inserted';
    const attempts = this.outage === null ? this.opts.attempts : Date.now() >= this.retryAt ? 1 : 0;
    let failure: unknown = this.outage;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.opts.backoffMs * 2 ** (attempt - 1));
      try {
        await insertBatch(this.store, batch);
        this.storeIsBack();
        this.stats.rowsInserted += batch.rows;
        this.stats.batchesInserted += 1;
        return 'inserted';
      } catch (err) {
        failure = storeFailure(err, this.store.description);
        if (isStoreOutage(failure)) {
          this.storeIsDown(failure as StripscanError);
          break;
        }
        // A refusal is an answer: the store is there.
        this.storeIsBack();
        if (refused === 'throw') throw failure;
      }
    }
    await this.spool(batch, failure);
    return 'spooled';
  }

  /** Called when anything reached the store: the breaker closes. */
  storeIsBack(): void {
    this.outage = null;
    this.breakerMs = 0;
  }

  storeIsDown(err: StripscanError): void {
    this.outage = err;
    this.firstOutage ??= err;
    this.breakerMs = Math.min(BREAKER_MAX_MS, this.breakerMs === 0 ? BREAKER_FIRST_MS : this.breakerMs * 2);
    this.retryAt = Date.now() + this.breakerMs;
  }

  private async spool(batch: Spoolable, failure: unknown): Promise<void> {
    const dir = this.opts.spoolDir;
    try {
      await spoolBatch(dir, batch);
    } catch (first) {
      // A full disk: spend as much of the reserve kept for exactly this as the batch needs.
      const room =
        (first as NodeJS.ErrnoException).code === 'ENOSPC' && (await spendSpoolReserve(dir, batch.body.length));
      try {
        if (!room) throw first;
        await spoolBatch(dir, batch);
      } catch (cause) {
        const why = failure instanceof Error ? `: ${oneLine(failure.message)}` : '';
        throw new StoreError(
          'E_SPOOL_WRITE',
          `${batch.rows} ${batch.table} rows reached neither the store${why} nor the spool at ${dir}: ${oneLine((cause as Error).message)}`,
          { cause },
        );
      }
    }
    this.stats.batchesSpooled += 1;
    this.stats.rowsSpooled[batch.table] += batch.rows;
  }
}
