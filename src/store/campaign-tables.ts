/** Rows for the campaigns and job_stats tables (migrations/0004_campaigns.sql). */
import type { Store } from './open-store.js';

export interface CampaignRow {
  campaign: string;
  /** The campaign's parameters (targets, rate, ports…), stored as JSON. */
  params: Record<string, unknown>;
  seed: string;
  ehlo_name: string;
  contact: string;
  /** ISO 8601. */
  started_at: string;
  ended_at: string | null;
}

export interface JobStatsRow {
  campaign: string;
  job: string;
  vantage: string;
  attempted: number;
  /** Addresses that accepted a TCP connection. */
  responsive: number;
  connect_timeouts: number;
  /** Milliseconds new probes were held back by the overload guard. */
  held_ms: number;
  /** Observations per outcome (only responsive addresses are stored as rows). */
  outcome_counts: Record<string, number>;
  started_at: string;
  finished_at: string;
}

// Both tables are ReplacingMergeTree: a later row replaces an earlier one, so
// these inserts carry no dedup token (an empty token turns off token dedup).
const PLAIN_INSERT = { async_insert: 0, insert_deduplication_token: '' } as const;

export async function upsertCampaign(store: Store, campaign: CampaignRow): Promise<void> {
  await store.client.insert({
    table: 'campaigns',
    values: [{ ...campaign, params: JSON.stringify(campaign.params) }],
    format: 'JSONEachRow',
    clickhouse_settings: PLAIN_INSERT,
  });
}

export async function recordJobStats(store: Store, stats: JobStatsRow): Promise<void> {
  await store.client.insert({
    table: 'job_stats',
    values: [stats],
    format: 'JSONEachRow',
    clickhouse_settings: PLAIN_INSERT,
  });
}
