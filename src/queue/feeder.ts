/**
 * The feeder: keeps at most `queueDepth` chunk jobs waiting, refilled from the
 * plan on demand. Redis therefore holds a few dozen small jobs whatever the
 * campaign's size; the plan itself is five numbers per chunk, recomputed.
 *
 * Every worker calls it after each chunk and on a timer, so there is no
 * feeder process to lose. Two workers feeding at once both add the same
 * deterministic job ids; the compare-and-set on the pointer lets one win.
 * Once the whole plan is fed, feeding turns into settling: making sure the
 * campaign ends (campaign-settle.ts).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunkAt, chunkJobId, CHUNK_JOB_OPTIONS, type ChunkJobData } from './campaign-spec.js';
import { settleCampaign } from './campaign-settle.js';
import { readCampaign } from './campaign-store.js';
import { campaignKeys } from './keys.js';
import { ADVANCE_FEED } from './scripts.js';

export async function feedCampaign(redis: Redis, queue: Queue, prefix: string, name: string): Promise<number> {
  const record = await readCampaign(redis, prefix, name);
  if (record.state !== 'running') return 0;
  const { spec } = record;
  const next = record.nextChunk;
  // Everything fed: from here on, make sure the campaign ends (campaign-settle.ts).
  if (next >= spec.chunksTotal) return settleCampaign(redis, queue, prefix, record);
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
  const waiting = Object.values(counts).reduce((a, b) => a + b, 0);
  const room = spec.queueDepth - waiting;
  const n = Math.min(room, spec.chunksTotal - next);
  if (n <= 0) return 0;
  const keys = campaignKeys(prefix, name);
  const jobs: { name: string; data: ChunkJobData; opts: typeof CHUNK_JOB_OPTIONS & { jobId: string } }[] = [];
  for (let index = next; index < next + n; index++) {
    jobs.push({
      name: 'chunk',
      data: { campaign: name, index, chunk: chunkAt(spec, index) },
      opts: { ...CHUNK_JOB_OPTIONS, jobId: chunkJobId(index) },
    });
  }
  await queue.addBulk(jobs);
  // A cancel between our state read and the add would leave these jobs waiting:
  // cancel sets the state before it drains, so whichever of us comes last drains.
  if ((await redis.hget(keys.campaign, 'state')) === 'cancelled') {
    await queue.drain(true);
    return 0;
  }
  const advanced = await redis.eval(ADVANCE_FEED, 1, keys.campaign, String(next), String(n));
  return advanced === 1 ? n : 0;
}
