/**
 * One campaign's observations, with ASN enrichment, as ClickHouse formats
 * them (Parquet, JSON lines, CSV with a header), for `stripscan export`.
 * An unknown campaign is refused, naming the recent ones, rather than
 * exported as an empty file that looks like a campaign without hosts.
 */
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { Store } from './open-store.js';
import { RECORD_COLUMNS } from './record-select.js';

export const EXPORT_FORMATS = { parquet: 'Parquet', jsonl: 'JSONEachRow', csv: 'CSVWithNames' } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

const RECENT = 5;

export interface CampaignExport {
  /** Rows in the export, counted just before it. */
  rows: number;
  stream: Readable;
}

export async function exportCampaign(store: Store, campaign: string, format: ExportFormat): Promise<CampaignExport> {
  const rows = await countRows(store, campaign);
  if (rows === 0 && !(await campaignRecorded(store, campaign))) {
    const recent = await recentCampaigns(store);
    throw new UsageError(
      `--campaign ${JSON.stringify(campaign)}: no such campaign in ${store.description}; ` +
        (recent.length === 0 ? 'it holds none' : `recent ones: ${recent.join(', ')}`),
    );
  }
  const result = await store.client.exec({
    query: `SELECT ${RECORD_COLUMNS}, asn, country, asn_dataset FROM observations
            WHERE campaign = {campaign:String} ORDER BY observations.ip, port, observations.ts`,
    query_params: { campaign },
    clickhouse_settings: { default_format: EXPORT_FORMATS[format] },
  });
  return { rows, stream: result.stream };
}

async function countRows(store: Store, campaign: string): Promise<number> {
  const [row] = await (
    await store.client.query({
      query: 'SELECT count() AS n FROM observations WHERE campaign = {campaign:String}',
      query_params: { campaign },
      format: 'JSONEachRow',
    })
  ).json<{ n: number }>();
  return Number(row?.n ?? 0);
}

/** A campaign can be known without rows: a scan whose hosts were all silent. */
async function campaignRecorded(store: Store, campaign: string): Promise<boolean> {
  const rows = await (
    await store.client.query({
      query: 'SELECT 1 FROM campaigns WHERE campaign = {campaign:String} LIMIT 1',
      query_params: { campaign },
      format: 'JSONEachRow',
    })
  ).json();
  return rows.length > 0;
}

async function recentCampaigns(store: Store): Promise<string[]> {
  const rows = await (
    await store.client.query({
      query: `SELECT campaign FROM (
                SELECT campaign, max(started_at) AS at FROM campaigns GROUP BY campaign
                UNION ALL
                SELECT campaign, max(ts) AS at FROM observations GROUP BY campaign)
              GROUP BY campaign ORDER BY max(at) DESC, campaign LIMIT ${RECENT}`,
      format: 'JSONEachRow',
    })
  ).json<{ campaign: string }>();
  return rows.map((r) => r.campaign);
}
