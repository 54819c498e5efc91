/**
 * Rows for the campaigns and job_stats tables (migrations 0004 and 0006).
 *
 * Both tables are ReplacingMergeTree, versioned by a time column. The row
 * carries that time itself, taken when the row was made, rather than the
 * column's DEFAULT (insert time): a row that waited in the spool and is
 * replayed after a newer one must not replace it.
 */

/** The campaign states the local scan writes; a distributed campaign's state is copied from Redis as it is. */
export type LocalCampaignState = 'running' | 'done' | 'cancelled' | 'incomplete';

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
  /** Free text: the local scan's states, or whatever the queue's campaign record says. */
  state: string;
  /** Addresses the campaign plans to probe (this shard's share for a sharded local scan). */
  addresses_total: number;
  chunks_total: number;
  chunks_done: number;
  chunks_failed: number;
  attempted: number;
  responsive: number;
  /** Every counter of the campaign's record, by its own name. */
  counters: Record<string, number>;
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

/** The campaigns row as inserted: params as JSON text, and its version time. */
export function campaignInsertRow(row: CampaignRow, now = new Date()): object {
  return { ...row, params: JSON.stringify(row.params), updated_at: now.toISOString() };
}

export function jobStatsInsertRow(row: JobStatsRow, now = new Date()): object {
  return { ...row, recorded_at: now.toISOString() };
}
