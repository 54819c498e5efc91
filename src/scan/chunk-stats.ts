/**
 * Per-chunk statistics: what job_stats stores, and what the scan summary and
 * the campaign status print. Non-responsive addresses are counted here only.
 */
import type { RecordLabels } from '../probe/driver.js';
import { FINGERPRINTS, OUTCOMES, type Fingerprint, type Outcome, type ScanRecord } from '../record.js';
import type { JobStatsRow } from '../store/campaign-tables.js';

export interface ChunkStats {
  attempted: number;
  /** Connected at the TCP level (every outcome but connect-*). */
  responsive: number;
  connectTimeouts: number;
  /** Milliseconds new probes were held back because our own event loop lagged (the overload guard). */
  heldMs: number;
  outcomes: Record<Outcome, number>;
  fingerprints: Record<Fingerprint, number>;
  durationMs: number;
}

export function emptyStats(): ChunkStats {
  return {
    attempted: 0,
    responsive: 0,
    connectTimeouts: 0,
    heldMs: 0,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    fingerprints: Object.fromEntries(FINGERPRINTS.map((f) => [f, 0])) as Record<Fingerprint, number>,
    durationMs: 0,
  };
}

export function isResponsive(record: Pick<ScanRecord, 'outcome'>): boolean {
  return !record.outcome.startsWith('connect-');
}

export function countRecord(stats: ChunkStats, record: ScanRecord): void {
  stats.attempted++;
  if (isResponsive(record)) stats.responsive++;
  if (record.outcome === 'connect-timeout') stats.connectTimeouts++;
  stats.outcomes[record.outcome]++;
  for (const f of record.fingerprints) stats.fingerprints[f]++;
}

export function mergeStats(into: ChunkStats, from: ChunkStats): void {
  into.attempted += from.attempted;
  into.responsive += from.responsive;
  into.connectTimeouts += from.connectTimeouts;
  into.heldMs += from.heldMs;
  for (const o of OUTCOMES) into.outcomes[o] += from.outcomes[o];
  for (const f of FINGERPRINTS) into.fingerprints[f] += from.fingerprints[f];
  into.durationMs += from.durationMs;
}

/** The job_stats row of a scan run from this process (a local scan, a domains run): every outcome, zeros included. */
export function jobStatsRow(
  labels: RecordLabels,
  stats: ChunkStats,
  startedAt: string,
  finishedAt: string,
): JobStatsRow {
  return {
    campaign: labels.campaign,
    job: labels.job,
    vantage: labels.vantage,
    attempted: stats.attempted,
    responsive: stats.responsive,
    connect_timeouts: stats.connectTimeouts,
    held_ms: stats.heldMs,
    outcome_counts: stats.outcomes,
    started_at: startedAt,
    finished_at: finishedAt,
  };
}
