/**
 * `campaign retry`: run the chunks that failed for good again. Each one's old
 * BullMQ job is removed first — BullMQ ignores an add under an id it still
 * holds, even a failed one — then the chunk leaves the failed list (compare
 * and delete: a chunk that failed again meanwhile keeps its newer record) and
 * a fresh job with the plan's payload is queued. A done-with-failures
 * campaign is running again until they end. If this process dies between the
 * two steps, the chunk is neither failed nor queued, and the workers' settling
 * (campaign-settle.ts) queues it again.
 */
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { chunkJob, chunkJobId, lanesOf, type CampaignState } from './campaign-spec.js';
import { readCampaign, readFailedChunks, type FailedChunk } from './campaign-store.js';
import { campaignQueue } from './campaign-control.js';
import { campaignKeys, laneKeys, type Lane } from './keys.js';
import { RETRY_CHUNKS } from './scripts.js';

const RETRYABLE: CampaignState[] = ['running', 'paused', 'done-with-failures'];

export async function retryFailedChunks(
  redis: Redis,
  prefix: string,
  name: string,
): Promise<{ requeued: number; state: CampaignState }> {
  const record = await readCampaign(redis, prefix, name);
  if (!RETRYABLE.includes(record.state)) {
    throw new UsageError(`campaign ${name} is ${record.state}: cannot retry it (retry needs ${RETRYABLE.join(', ')})`);
  }
  const lanes = lanesOf(record.spec);
  const failed = await readFailedChunks(redis, prefix, name, Infinity, lanes);
  if (failed.length === 0) throw new UsageError(`campaign ${name} has no failed chunks to retry`);
  let requeued = 0;
  // Every vantage's failed chunks, each lane from its own queue.
  for (const lane of lanes) {
    const ofLane = failed.filter((c) => c.lane === lane);
    if (ofLane.length > 0) requeued += await retryLane(redis, prefix, name, record.spec, lane, ofLane);
  }
  return { requeued, state: (await readCampaign(redis, prefix, name)).state };
}

async function retryLane(
  redis: Redis,
  prefix: string,
  name: string,
  spec: Parameters<typeof chunkJob>[0],
  lane: Lane,
  failed: FailedChunk[],
): Promise<number> {
  const queue = campaignQueue(redis, prefix, name, lane);
  try {
    for (const chunk of failed) {
      const job = await queue.getJob(chunkJobId(chunk.index, lane));
      if (job === undefined) continue;
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') await job.remove();
    }
    const taken = (await redis.eval(
      RETRY_CHUNKS,
      2,
      campaignKeys(prefix, name).campaign,
      laneKeys(prefix, name, lane).failedChunks,
      ...failed.flatMap((c) => [String(c.index), c.raw]),
    )) as string[] | number;
    if (taken === -1) throw new UsageError(`campaign ${name} changed state meanwhile: cannot retry it now`);
    const indexes = (taken as string[]).map(Number);
    await queue.addBulk(indexes.map((index) => chunkJob(spec, index, lane)));
    return indexes.length;
  } finally {
    await queue.close();
  }
}
