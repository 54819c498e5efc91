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
import { chunkJob } from './campaign-spec.js';
import { settleCampaign } from './campaign-settle.js';
import { readCampaign } from './campaign-store.js';
import { campaignKeys, laneKeys, type Lane } from './keys.js';
import { ADVANCE_FEED } from './scripts.js';

/** Feeds one lane (vantage) of the campaign from its own pointer into its own queue, `queue`. */
export async function feedCampaign(
  redis: Redis,
  queue: Queue,
  prefix: string,
  name: string,
  lane: Lane = null,
): Promise<number> {
  const record = await readCampaign(redis, prefix, name);
  if (record.state !== 'running') return 0;
  const { spec } = record;
  const progress = record.lanes.find((l) => l.lane === lane);
  if (progress === undefined) return 0;
  const next = progress.nextChunk;
  // Everything fed: from here on, make sure the campaign ends (campaign-settle.ts).
  if (next >= spec.chunksTotal) return settleCampaign(redis, queue, prefix, record, lane);
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
  const waiting = Object.values(counts).reduce((a, b) => a + b, 0);
  const room = spec.queueDepth - waiting;
  const n = Math.min(room, spec.chunksTotal - next);
  if (n <= 0) return 0;
  const keys = campaignKeys(prefix, name);
  const jobs = [];
  for (let index = next; index < next + n; index++) jobs.push(chunkJob(spec, index, lane));
  await queue.addBulk(jobs);
  // A cancel between our state read and the add would leave these jobs waiting:
  // cancel sets the state before it drains, so whichever of us comes last drains.
  if ((await redis.hget(keys.campaign, 'state')) === 'cancelled') {
    await queue.drain(true);
    return 0;
  }
  const advanced = await redis.eval(ADVANCE_FEED, 1, laneKeys(prefix, name, lane).progress, String(next), String(n));
  return advanced === 1 ? n : 0;
}
