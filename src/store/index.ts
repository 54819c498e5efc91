/**
 * The store: ClickHouse through @clickhouse/client, embedded chDB by default.
 *
 *   const store = await openStore({ dataDir?, url? })   // url → HTTP server (user, password, database from the URL);
 *                                                       // else chDB at dataDir (default ./stripscan-data, env STRIPSCAN_DATA;
 *                                                       // env STRIPSCAN_CLICKHOUSE_URL for url)
 *   await store.migrate()                               // → { applied: string[] }
 *   store.client                                        // @clickhouse/client instance for queries
 *   const writer = createWriter(store, { batchRows?, flushMs?, spoolDir?, maxPendingRows? })
 *   const w = writer.write(record); if (w) await w;     // backpressure: a promise when too much is pending
 *   await writer.writeBatch(records, jobBatchId)        // one insert, insert_deduplication_token = jobBatchId
 *   await writer.flush(); await writer.close()
 *   await upsertCampaign(store, campaign); await recordJobStats(store, stats)
 *   await store.close()
 *
 * Embedded mode: one process owns a data directory (chDB locks it), and one
 * process can have one data directory open at a time. Both give a StoreError.
 */
export { openStore, type Store, type OpenStoreOptions } from './open-store.js';
export { createWriter, type RecordWriter, type WriterOptions, type WriterStats } from './record-writer.js';
export { replaySpool, type ReplayResult } from './replay-spool.js';
export { upsertCampaign, recordJobStats, type CampaignRow, type JobStatsRow } from './campaign-tables.js';
export { DEFAULT_MIGRATIONS_DIR } from './migrations.js';
