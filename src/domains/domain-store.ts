/**
 * The store as `stripscan domains` uses it: observations through the same
 * batching writer as a scan, domain and verdict rows inserted per batch of
 * domains, the campaign and its job statistics as a scan records them.
 */
import type { ScanRecord } from '../record.js';
import type { CampaignRow, JobStatsRow, OpenStoreOptions } from '../store/index.js';
import type { DomainRow, PolicyRow } from './domain-rows.js';

export interface DomainStore {
  description: string;
  writeObservation(record: ScanRecord): Promise<void>;
  insertDomains(domains: DomainRow[], policies: PolicyRow[]): Promise<void>;
  upsertCampaign(row: CampaignRow): Promise<void>;
  recordJobStats(row: JobStatsRow): Promise<void>;
  /** Flush the observations; warns through `log` when some had to be spooled. */
  closeWriter(log: (text: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Both tables are plain MergeTree: an empty token turns off token deduplication, as for the campaign tables. */
const PLAIN_INSERT = { async_insert: 0, insert_deduplication_token: '' } as const;

/** Open and migrate before the first lookup, so a broken store resolves and probes nothing. */
export async function openDomainStore(location: OpenStoreOptions): Promise<DomainStore> {
  const { openMigratedStore, createWriter } = await import('../store/index.js');
  const store = await openMigratedStore(location);
  const writer = createWriter(store);
  return {
    description: store.description,
    async writeObservation(record) {
      const wait = writer.write(record);
      if (wait) await wait;
    },
    async insertDomains(domains, policies) {
      if (domains.length > 0) {
        await store.client.insert({
          table: 'domains',
          values: domains,
          format: 'JSONEachRow',
          clickhouse_settings: PLAIN_INSERT,
        });
      }
      if (policies.length > 0) {
        await store.client.insert({
          table: 'domain_policies',
          values: policies,
          format: 'JSONEachRow',
          clickhouse_settings: PLAIN_INSERT,
        });
      }
    },
    // Through the writer, so that they spool like the scan's while the store is away.
    upsertCampaign: async (row) => void (await writer.writeCampaigns([row])),
    recordJobStats: async (row) => void (await writer.writeJobStats(row)),
    async closeWriter(log) {
      await writer.close();
      const waiting = Object.entries(writer.stats.spooledByTable).filter(([, n]) => n > 0);
      if (waiting.length > 0) {
        const what = waiting.map(([table, n]) => `${n} ${table} row${n === 1 ? '' : 's'}`).join(', ');
        log(
          `stripscan: warning: ${what} wait in ${writer.spoolDir}; load them with \`stripscan store replay\` once the store is back\n`,
        );
      }
    },
    close: () => store.close(),
  };
}
