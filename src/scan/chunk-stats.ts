/**
 * Per-chunk statistics: what job_stats stores, and what the scan summary and
 * the campaign status print. Non-responsive addresses are counted here only.
 */
import { FINGERPRINTS, OUTCOMES, type Fingerprint, type Outcome, type ScanRecord } from '../record.js';

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
