/**
 * The campaign record in Redis: its spec, its state and its counters, in one
 * hash. The spec is written once at create time; workers rebuild the plan
 * from it, so it is validated again on every read.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { QueueError, UsageError } from '../errors.js';
import { CAMPAIGN_STATES, CampaignSpec, chunkJobId, lanesOf, type CampaignState } from './campaign-spec.js';
import { campaignKeys, campaignListKey, laneKeys, resultStreamKey, type Lane } from './keys.js';
import { CREATE_CAMPAIGN } from './scripts.js';

/** One lane's (vantage's) progress; a single-vantage campaign has one, with lane null. */
export interface LaneProgress {
  lane: Lane;
  /** The label its records carry: the lane, or the campaign's --vantage for the null lane. */
  vantage: string;
  /** Chunks fed to the lane's queue so far (the feeder's pointer). */
  nextChunk: number;
  doneChunks: number;
  failedChunks: number;
  counters: Record<string, number>;
}

export interface CampaignRecord {
  spec: CampaignSpec;
  state: CampaignState;
  /** Chunks fed to the queue so far (the feeder's pointer; the first lane's in a multi-vantage campaign). */
  nextChunk: number;
  /** Chunks committed, all lanes together. */
  doneChunks: number;
  /** Chunks that failed for good and were not retried since (see failed-chunks.ts), all lanes together. */
  failedChunks: number;
  startedAt: string | null;
  endedAt: string | null;
  /** Counters incremented at commit, all lanes together: attempted, responsive, o:<outcome>, f:<fingerprint>. */
  counters: Record<string, number>;
  /** Per vantage; one entry (lane null) for a campaign created without --vantages. */
  lanes: LaneProgress[];
}

/** Chunk jobs of a campaign over all its lanes: what `doneChunks` reaches when it is done. */
export function chunkJobsTotal(spec: CampaignSpec): number {
  return spec.chunksTotal * lanesOf(spec).length;
}

/** Every lane's failed-chunks hash: the campaign ends when these and the done count cover every chunk job. */
export function failedKeysOf(prefix: string, spec: CampaignSpec): string[] {
  return lanesOf(spec).map((lane) => laneKeys(prefix, spec.name, lane).failedChunks);
}

function countersOf(hash: Record<string, string>): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(hash)) {
    if (k === 'attempted' || k === 'responsive' || k.startsWith('o:') || k.startsWith('f:')) counters[k] = Number(v);
  }
  return counters;
}

export async function createCampaign(redis: Redis, prefix: string, spec: CampaignSpec): Promise<void> {
  const keys = campaignKeys(prefix, spec.name);
  // One script: a create cut short (Redis gone) leaves no half-made campaign behind.
  // The stream entry lets the writer record the campaign in ClickHouse: workers and the CLI never hold store credentials.
  const created = await redis.eval(
    CREATE_CAMPAIGN,
    3,
    keys.campaign,
    campaignListKey(prefix),
    resultStreamKey(prefix),
    spec.name,
    JSON.stringify(spec),
  );
  if (Number(created) === 0) {
    throw new UsageError(`campaign ${JSON.stringify(spec.name)} already exists; pick another name`);
  }
}

export async function readCampaign(redis: Redis, prefix: string, name: string): Promise<CampaignRecord> {
  const keys = campaignKeys(prefix, name);
  const [hash, failedChunks] = await Promise.all([redis.hgetall(keys.campaign), redis.hlen(keys.failedChunks)]);
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
  const spec = parsed.data;
  const counters = countersOf(hash);
  let lanes: LaneProgress[];
  if (spec.vantages === undefined) {
    lanes = [
      {
        lane: null,
        vantage: spec.vantage,
        nextChunk: Number(hash.nextChunk ?? 0),
        doneChunks: Number(hash.doneChunks ?? 0),
        failedChunks,
        counters,
      },
    ];
  } else {
    lanes = await Promise.all(
      spec.vantages.map(async (lane): Promise<LaneProgress> => {
        const k = laneKeys(prefix, name, lane);
        const [progress, failed] = await Promise.all([redis.hgetall(k.progress), redis.hlen(k.failedChunks)]);
        return {
          lane,
          vantage: lane,
          nextChunk: Number(progress.nextChunk ?? 0),
          doneChunks: Number(progress.doneChunks ?? 0),
          failedChunks: failed,
          counters: countersOf(progress),
        };
      }),
    );
  }
  return {
    spec,
    state,
    nextChunk: lanes[0]?.nextChunk ?? 0,
    doneChunks: Number(hash.doneChunks ?? 0),
    failedChunks: lanes.reduce((sum, l) => sum + l.failedChunks, 0),
    startedAt: hash.startedAt ?? null,
    endedAt: hash.endedAt ?? null,
    counters,
    lanes,
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

/** One entry of the failed-chunks hash: why the chunk's last attempt failed. */
export const ChunkFailure = z.object({
  job: z.string(),
  error: z.string(),
  attempts: z.number().int().min(0),
  failedAt: z.string(),
});
export type ChunkFailure = z.infer<typeof ChunkFailure>;

export interface FailedChunk extends ChunkFailure {
  index: number;
  /** The lane (vantage) it failed in; null for a single-vantage campaign. */
  lane: Lane;
  /** The hash value as stored, for compare-and-delete on retry. */
  raw: string;
}

/** The failed chunks of `lanes`, in lane and chunk order; at most `limit` of them (all when omitted). */
export async function readFailedChunks(
  redis: Redis,
  prefix: string,
  name: string,
  limit = Infinity,
  lanes: readonly Lane[] = [null],
): Promise<FailedChunk[]> {
  const out: FailedChunk[] = [];
  for (const lane of lanes) {
    if (out.length >= limit) break;
    out.push(...(await readLaneFailures(redis, prefix, name, lane)));
  }
  return out.slice(0, limit);
}

async function readLaneFailures(redis: Redis, prefix: string, name: string, lane: Lane): Promise<FailedChunk[]> {
  const hash = await redis.hgetall(laneKeys(prefix, name, lane).failedChunks);
  const out: FailedChunk[] = [];
  for (const [field, raw] of Object.entries(hash)) {
    const index = Number(field);
    let parsed: ChunkFailure;
    try {
      parsed = ChunkFailure.parse(JSON.parse(raw));
    } catch {
      // Written by our own script; a hand-edited entry still counts as failed.
      parsed = {
        job: chunkJobId(index, lane),
        error: `unreadable failure record: ${raw.slice(0, 200)}`,
        attempts: 0,
        failedAt: '',
      };
    }
    out.push({ index, lane, raw, ...parsed });
  }
  return out.sort((a, b) => a.index - b.index);
}
