/**
 * The store: ClickHouse through @clickhouse/client, embedded chDB by default.
 *
 *   const store = await openStore({ dataDir?, url?, spoolDir?, serviceTimeoutMs? })
 *                                  // url → HTTP server (user, password, database from the URL);
 *                                  // else chDB at dataDir (default ./stripscan-data, env STRIPSCAN_DATA;
 *                                  // env STRIPSCAN_CLICKHOUSE_URL for url)
 *   await store.migrate()          // → { applied: string[] }; UnavailableError when a server does not answer
 *   store.client                   // @clickhouse/client instance for queries
 *   await withStore(opts, async (store) => …)   // a one-shot command: open, migrate, run, close, errors named
 *   const writer = createWriter(store, { batchRows?, flushMs?, spoolDir?, maxPendingRows?, replayEveryMs? })
 *   const w = writer.write(record); if (w) await w;     // backpressure: a promise when too much is pending
 *   await writer.writeBatch(records, jobBatchId)        // one insert, insert_deduplication_token = jobBatchId
 *   await writer.writeCampaigns(rows); await writer.writeJobStats(row)   // inserted, or spooled in an outage
 *   await writer.flush(); await writer.close()
 *   await replaySpool(store, store.spoolDir)            // → loaded, skipped, waiting
 *   await store.close()
 *
 * Embedded mode: one process owns a data directory (chDB locks it), and one
 * process can have one data directory open at a time. Both give a StoreError.
 */
export { openStore, type Store, type OpenStoreOptions } from './open-store.js';
export { openMigratedStore, withStore } from './with-store.js';
export {
  createWriter,
  type RecordWriter,
  type WriterOptions,
  type WriterStats,
  type PutOptions,
} from './record-writer.js';
export { replaySpool, type ReplayResult, type SkippedSpoolFile } from './replay-spool.js';
export { type CampaignRow, type JobStatsRow, type LocalCampaignState } from './campaign-tables.js';
export { isStoreOutage, storeFailure } from './store-errors.js';
export { DEFAULT_MIGRATIONS_DIR } from './migrations.js';
