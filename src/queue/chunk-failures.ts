/**
 * Chunks that fail for good. BullMQ retries a failing chunk job (attempts and
 * backoff in feeder.ts) and then leaves it in its failed set, where nothing
 * would ever look at it again: the campaign would wait for it for ever. So a
 * final failure is also recorded in the campaign's failed-chunks hash, with
 * its last error, by one script that can end the campaign as
 * `done-with-failures`; `campaign status` shows the list and `campaign retry`
 * runs those chunks again.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ChunkJobData, type CampaignSpec } from './campaign-spec.js';
import { chunkJobsTotal, failedKeysOf, type ChunkFailure } from './campaign-store.js';
import { campaignKeys, laneKeys, resultStreamKey, type Lane } from './keys.js';
import { FAIL_CHUNK } from './scripts.js';

export type FailureRecorded = 'cancelled' | 'already-done' | 'recorded' | 'campaign-ended';

export async function recordChunkFailure(
  redis: Redis,
  prefix: string,
  spec: CampaignSpec,
  lane: Lane,
  index: number,
  failure: ChunkFailure,
): Promise<FailureRecorded> {
  const lk = laneKeys(prefix, spec.name, lane);
  const failedKeys = failedKeysOf(prefix, spec);
  const code = Number(
    await redis.eval(
      FAIL_CHUNK,
      4 + failedKeys.length,
      campaignKeys(prefix, spec.name).campaign,
      lk.doneChunks,
      lk.failedChunks,
      resultStreamKey(prefix),
      ...failedKeys,
      String(index),
      String(chunkJobsTotal(spec)),
      new Date().toISOString(),
      spec.name,
      JSON.stringify(failure),
    ),
  );
  return code === -1 ? 'cancelled' : code === 0 ? 'already-done' : code === 2 ? 'campaign-ended' : 'recorded';
}

/**
 * The chunk a failed job stands for, when this failure was its last: no
 * attempts left, or an error BullMQ never retries. Null when BullMQ will run
 * it again, or when the payload names no chunk of this campaign (such a job
 * is a stray, not a piece of the plan).
 */
export function finalChunkFailure(
  job: Job,
  err: Error,
  campaign: string,
  chunksTotal: number,
  lane: Lane = null,
): { index: number; failure: ChunkFailure } | null {
  const unrecoverable = err.name === 'UnrecoverableError';
  if (!unrecoverable && job.attemptsMade < (job.opts.attempts ?? 1)) return null;
  const data = ChunkJobData.safeParse(job.data);
  if (!data.success || data.data.campaign !== campaign || data.data.index >= chunksTotal) return null;
  // A job of another lane in this lane's queue is a stray too: this lane's chunk was never it.
  if ((data.data.vantage ?? null) !== lane) return null;
  return {
    index: data.data.index,
    failure: {
      job: job.id ?? '?',
      // The last error is for a person to read: bounded, one line.
      error: err.message.replace(/\s+/g, ' ').slice(0, 500),
      attempts: job.attemptsMade,
      failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
    },
  };
}
