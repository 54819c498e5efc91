/**
 * The campaign record in Redis: its spec, its state and its counters, in one
 * hash. The spec is written once at create time; workers rebuild the plan
 * from it, so it is validated again on every read.
 */
import type { Redis } from 'ioredis';
import { QueueError, UsageError } from '../errors.js';
import { CAMPAIGN_STATES, CampaignSpec, type CampaignState } from './campaign-spec.js';
import { campaignKeys, campaignListKey, resultStreamKey } from './keys.js';

export interface CampaignRecord {
  spec: CampaignSpec;
  state: CampaignState;
  /** Chunks fed to the queue so far (the feeder's pointer). */
  nextChunk: number;
  doneChunks: number;
  startedAt: string | null;
  endedAt: string | null;
  /** Counters incremented at commit: attempted, responsive, o:<outcome>, f:<fingerprint>. */
  counters: Record<string, number>;
}

export async function createCampaign(redis: Redis, prefix: string, spec: CampaignSpec): Promise<void> {
  const keys = campaignKeys(prefix, spec.name);
  const created = await redis.hsetnx(keys.campaign, 'spec', JSON.stringify(spec));
  if (created === 0) {
    throw new UsageError(`campaign ${JSON.stringify(spec.name)} already exists; pick another name`);
  }
  await redis
    .multi()
    .hset(keys.campaign, 'state', 'created', 'nextChunk', '0', 'doneChunks', '0')
    .sadd(campaignListKey(prefix), spec.name)
    // The writer records the campaign in ClickHouse: workers and the CLI never hold store credentials.
    .xadd(resultStreamKey(prefix), '*', 'kind', 'campaign', 'campaign', spec.name, 'spec', JSON.stringify(spec))
    .exec();
}

export async function readCampaign(redis: Redis, prefix: string, name: string): Promise<CampaignRecord> {
  const hash = await redis.hgetall(campaignKeys(prefix, name).campaign);
  if (hash.spec === undefined) {
    throw new UsageError(`campaign ${JSON.stringify(name)}: no such campaign (see \`stripscan campaign list\`)`);
  }
  const parsed = CampaignSpec.safeParse(JSON.parse(hash.spec));
  if (!parsed.success) {
    throw new QueueError('E_CAMPAIGN_CORRUPT', `campaign ${name}: stored spec is invalid: ${parsed.error.message}`);
  }
  const state = (CAMPAIGN_STATES as readonly string[]).includes(hash.state ?? '')
    ? (hash.state as CampaignState)
    : 'created';
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(hash)) {
    if (k === 'attempted' || k === 'responsive' || k.startsWith('o:') || k.startsWith('f:')) counters[k] = Number(v);
  }
  return {
    spec: parsed.data,
    state,
    nextChunk: Number(hash.nextChunk ?? 0),
    doneChunks: Number(hash.doneChunks ?? 0),
    startedAt: hash.startedAt ?? null,
    endedAt: hash.endedAt ?? null,
    counters,
  };
}

export async function listCampaigns(redis: Redis, prefix: string): Promise<string[]> {
  return (await redis.smembers(campaignListKey(prefix))).sort();
}

export async function setCampaignState(
  redis: Redis,
  prefix: string,
  name: string,
  state: CampaignState,
  extra: Record<string, string> = {},
): Promise<void> {
  await redis.hset(campaignKeys(prefix, name).campaign, { state, ...extra });
}
