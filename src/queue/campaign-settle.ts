/**
 * The end of a campaign's feed. Once every chunk has been handed to the queue
 * and the queue holds nothing waiting, delayed or running, each chunk must be
 * committed (done bitmap) or failed for good (failed-chunks hash). A chunk
 * that is neither was lost on the way — a worker died between BullMQ failing
 * the job and the failure being recorded, BullMQ failed it itself (stalled
 * too often), or a `campaign retry` died half-way — and the campaign would
 * wait for it for ever. Here a lost chunk whose job sits in BullMQ's failed
 * set is recorded as failed, and one with no live job is queued again; then
 * the campaign ends if everything is accounted for.
 *
 * Every worker runs this from its feeder, so no single process is needed;
 * concurrent runs are harmless (deterministic job ids, idempotent scripts).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunkJob, chunkJobId } from './campaign-spec.js';
import { chunkJobsTotal, failedKeysOf, type CampaignRecord } from './campaign-store.js';
import { recordChunkFailure } from './chunk-failures.js';
import { campaignKeys, laneKeys, resultStreamKey, type Lane } from './keys.js';
import { SETTLE_CAMPAIGN } from './scripts.js';

const LIVE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'] as const;

/** Settles one lane (the lane whose queue `queue` is); returns how many lost chunks it queued again. */
export async function settleCampaign(
  redis: Redis,
  queue: Queue,
  prefix: string,
  record: CampaignRecord,
  lane: Lane = null,
): Promise<number> {
  const { spec } = record;
  const counts = await queue.getJobCounts(...LIVE_STATES);
  if (Object.values(counts).some((n) => n > 0)) return 0;
  const keys = campaignKeys(prefix, spec.name);
  const lk = laneKeys(prefix, spec.name, lane);
  const [bitmap, failedFields] = await Promise.all([redis.getBuffer(lk.doneChunks), redis.hkeys(lk.failedChunks)]);
  const failed = new Set(failedFields.map(Number));
  const requeue: number[] = [];
  for (let index = 0; index < spec.chunksTotal; index++) {
    if (isBitSet(bitmap, index) || failed.has(index)) continue;
    const job = await queue.getJob(chunkJobId(index, lane));
    const state = job === undefined ? 'missing' : await job.getState();
    if (job !== undefined && state === 'failed') {
      await recordChunkFailure(redis, prefix, spec, lane, index, {
        job: job.id ?? chunkJobId(index, lane),
        error: job.failedReason ?? 'failed',
        attempts: job.attemptsMade,
        failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
      });
      continue;
    }
    // Queued again since the count above: another worker got here first.
    if ((LIVE_STATES as readonly string[]).includes(state)) continue;
    // A finished job keeps its id taken: BullMQ ignores an add under a live id.
    if (job !== undefined) await job.remove();
    requeue.push(index);
  }
  if (requeue.length > 0) await queue.addBulk(requeue.map((index) => chunkJob(spec, index, lane)));
  const failedKeys = failedKeysOf(prefix, spec);
  await redis.eval(
    SETTLE_CAMPAIGN,
    2 + failedKeys.length,
    keys.campaign,
    resultStreamKey(prefix),
    ...failedKeys,
    String(chunkJobsTotal(spec)),
    new Date().toISOString(),
    spec.name,
  );
  return requeue.length;
}

/** Redis bitmaps number bits from the most significant bit of the first byte. */
function isBitSet(bitmap: Buffer | null, index: number): boolean {
  if (bitmap === null) return false;
  const byte = bitmap[index >> 3];
  return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
}
