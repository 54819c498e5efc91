/**
 * What Redis holds about a campaign and a chunk job, as zod schemas: the
 * boundary where a payload written by another process (or a hostile one) is
 * checked before any work is done on it.
 */
import { z } from 'zod';
import type { Lane } from './keys.js';

export const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Vantage labels of a multi-vantage campaign: the campaign names' charset (they name Redis keys and queues). */
export const VANTAGE_LABEL = CAMPAIGN_NAME;

const NamedSpecs = z.object({ name: z.string(), specs: z.array(z.string()) });

export const CampaignSpec = z.object({
  name: z.string().regex(CAMPAIGN_NAME),
  specs: z.array(z.string()),
  blocklists: z.array(NamedSpecs),
  allowlist: NamedSpecs.nullable(),
  allowReserved: z.boolean(),
  seed: z.string().regex(/^\d{1,20}$/),
  /** Cycle positions per chunk. */
  chunkSize: z.number().int().min(1),
  /** Waiting chunks the feeder keeps in the queue. */
  queueDepth: z.number().int().min(1),
  /** Cycle positions in the plan (one shard): chunk i covers [i·chunkSize, min((i+1)·chunkSize, positions)). */
  positions: z.number().int().min(0),
  chunksTotal: z.number().int().min(0),
  /** Addresses in the target set. */
  size: z.number().int().min(0),
  port: z.number().int().min(1).max(65535),
  concurrency: z.number().int().min(1),
  /** New connections per second over all workers; 0: unpaced. */
  rate: z.number().min(0),
  /** Politeness bound checked at create time: expected new connections per /24 per second. */
  per24Rate: z.number().min(0),
  timeoutMs: z.number().int().min(1),
  connectTimeoutMs: z.number().int().min(1),
  ehloName: z.string().min(1),
  contact: z.string(),
  vantage: z.string(),
  /**
   * `--vantages a,b,c`: every chunk runs once per label, each vantage from its
   * own queue (keys.ts, lanes). Absent: one vantage, `vantage`, as before.
   */
  vantages: z.array(z.string().regex(VANTAGE_LABEL)).min(1).optional(),
  forceStartTls: z.boolean(),
  implicitTls: z.boolean(),
  caFile: z.string().nullable(),
  createdAt: z.string(),
});
export type CampaignSpec = z.infer<typeof CampaignSpec>;

export const ChunkJobData = z.object({
  campaign: z.string().regex(CAMPAIGN_NAME),
  /** Chunk number in the plan: chunk i covers positions [i·chunkSize, (i+1)·chunkSize). */
  index: z.number().int().min(0),
  /** The lane (vantage label) of a multi-vantage campaign; absent for a single-vantage one. */
  vantage: z.string().regex(VANTAGE_LABEL).optional(),
  chunk: z.object({
    seed: z.string().regex(/^\d{1,20}$/),
    shard: z.number().int().min(0),
    shards: z.number().int().min(1),
    start: z.number().int().min(0),
    count: z.number().int().min(0),
  }),
});
export type ChunkJobData = z.infer<typeof ChunkJobData>;

/**
 * `done`: every chunk committed. `done-with-failures`: every chunk committed
 * or failed for good (its attempts used up); `campaign retry` runs the failed
 * ones again. `cancelled`: stopped by hand.
 */
export const CAMPAIGN_STATES = ['created', 'running', 'paused', 'cancelled', 'done', 'done-with-failures'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** States in which nothing more will happen unless someone acts (`campaign retry`). */
export const ENDED_STATES: readonly CampaignState[] = ['cancelled', 'done', 'done-with-failures'];

/**
 * BullMQ job ids: deterministic (a re-added chunk is the same job), no ':' and not digits only.
 * A lane's jobs carry its label, so that a job names its vantage wherever it is listed.
 */
export function chunkJobId(index: number, lane: Lane = null): string {
  return lane === null ? `chunk-${index}` : `chunk-${index}@${lane}`;
}

/** The lanes of a campaign: its vantage labels, or the single unnamed lane. */
export function lanesOf(spec: CampaignSpec): Lane[] {
  return spec.vantages === undefined ? [null] : [...spec.vantages];
}

/** The chunk job of `index` in `lane`: what the feeder, settling and retry add. */
export function chunkJob(spec: CampaignSpec, index: number, lane: Lane) {
  const data: ChunkJobData = {
    campaign: spec.name,
    index,
    ...(lane === null ? {} : { vantage: lane }),
    chunk: chunkAt(spec, index),
  };
  return { name: 'chunk', data, opts: { ...CHUNK_JOB_OPTIONS, jobId: chunkJobId(index, lane) } };
}

export const CHUNK_JOB_OPTIONS = {
  // Retries are for program failures (Redis away mid-commit): scan outcomes never fail a job.
  // A chunk still failing after the last attempt is recorded as failed (chunk-failures.ts).
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  // Completed chunks are remembered by the done bitmap, not by job hashes.
  removeOnComplete: true,
  removeOnFail: { count: 1_000 },
} as const;

export function chunkAt(spec: CampaignSpec, index: number): ChunkJobData['chunk'] {
  const start = index * spec.chunkSize;
  return { seed: spec.seed, shard: 0, shards: 1, start, count: Math.min(spec.chunkSize, spec.positions - start) };
}

/**
 * The `job` of a chunk's records and job_stats row, and so of the writer's
 * dedup token (`campaign/job/stream`): a lane's label is part of it, or the
 * second vantage's rows of a chunk would be dropped as a repeat of the first's.
 */
export function jobLabel(campaign: string, index: number, lane: Lane = null): string {
  return `${campaign}-${chunkJobId(index, lane)}`;
}
