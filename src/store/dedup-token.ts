/**
 * Deduplication tokens for observation batches.
 *
 * campaign/job/sequence name the batch; the content hash makes sure a token
 * only ever matches the same rows. Without it, a job re-run after a crash
 * with different batch boundaries would reuse "job X batch 0" for different
 * rows, and ClickHouse would silently drop them as a duplicate.
 */
export function batchDedupToken(campaign: string, job: string, sequence: number, bodySha256: string): string {
  return `${campaign}/${job}/${sequence}/${bodySha256.slice(0, 32)}`;
}
