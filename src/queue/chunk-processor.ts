/**
 * What a worker does with one chunk job: check the payload, rebuild the
 * campaign's plan, run the same chunk runner as `stripscan scan`, and commit
 * the chunk's records and counts to Redis in one atomic step.
 *
 * Records are held until the chunk ends and committed together with the
 * chunk's done bit. A worker killed mid-chunk has committed nothing, and a
 * chunk run twice (lock lost, re-added job) is committed once: the second
 * commit sees the bit and is discarded. That is what makes the campaign's
 * counts and the observations exactly-once despite at-least-once delivery.
 */
import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { OUTCOMES, FINGERPRINTS, type ScanRecord } from '../record.js';
import type { DriverOptions } from '../probe/driver.js';
import type { ProbeTlsContext } from '../probe/tls-context.js';
import { DEFAULT_LIMITS } from '../probe/smtp/events.js';
import { runChunk } from '../scan/chunk-runner.js';
import { isResponsive, type ChunkStats } from '../scan/chunk-stats.js';
import { UNPACED, type Pacer } from '../scan/pacer.js';
import type { ProbeSlots } from '../scan/probe-slots.js';
import {
  addressesOf,
  buildNamedTargetSet,
  planScan,
  type TargetNames,
  type TargetSet,
  type ScanPlan,
} from '../targets/index.js';
import { chunkAt, ChunkJobData, jobLabel, type CampaignSpec } from './campaign-spec.js';
import { chunkJobsTotal, failedKeysOf, readCampaign } from './campaign-store.js';
import { campaignKeys, laneKeys, resultStreamKey, type Lane } from './keys.js';
import { RedisPacer } from './redis-pacer.js';
import { COMMIT_CHUNK } from './scripts.js';

export type ChunkResult =
  | {
      status: 'committed';
      attempted: number;
      responsive: number;
      /** The campaign's end state when this commit ended it. */
      ended: 'done' | 'done-with-failures' | null;
    }
  | { status: 'already-done' | 'cancelled' | 'discarded' };

export interface ChunkContext {
  redis: Redis;
  prefix: string;
  /** Label override of a single-vantage campaign's worker (`--vantage`); a lane's label is the lane. */
  vantage: string | undefined;
  /** Source addresses to bind, rotated per connection (`--source-address`). */
  sourceAddresses?: DriverOptions['sourceAddresses'];
  tlsContextFor(spec: CampaignSpec): ProbeTlsContext;
  /** Probe slots shared by the chunks this process runs at once, older chunks first (scan-worker.ts). */
  slots?: ProbeSlots;
  /** Probe start/end hooks for metrics. */
  onProbeStart?: () => void;
  onRecord?: (record: ScanRecord) => void;
}

interface CampaignRuntime {
  specJson: string;
  plan: ScanPlan;
  names: TargetNames;
  pacer: Pacer;
}

export class ChunkProcessor {
  private readonly runtimes = new Map<string, CampaignRuntime>();
  /** Chunks started so far: a chunk's rank for the shared probe slots (older first). */
  private started = 0;

  constructor(private readonly ctx: ChunkContext) {}

  async process(raw: unknown, signal: AbortSignal): Promise<ChunkResult> {
    const parsed = ChunkJobData.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UnrecoverableError(
        `invalid chunk payload: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unreadable'}`,
      );
    }
    const data = parsed.data;
    const { redis, prefix } = this.ctx;
    let record;
    try {
      record = await readCampaign(redis, prefix, data.campaign);
    } catch (err) {
      throw new UnrecoverableError(`chunk of campaign ${data.campaign}: ${(err as Error).message}`);
    }
    if (record.state === 'cancelled') return { status: 'cancelled' };
    const { spec } = record;
    const lane: Lane = data.vantage ?? null;
    // A job names its lane; one the campaign does not have (or a lane-less job of a multi-vantage campaign) is no chunk of it.
    if (lane === null ? spec.vantages !== undefined : spec.vantages?.includes(lane) !== true) {
      throw new UnrecoverableError(
        `invalid chunk payload: vantage ${JSON.stringify(data.vantage ?? null)} is not one of campaign ${data.campaign}'s (${spec.vantages?.join(', ') ?? 'none named'})`,
      );
    }
    const lk = laneKeys(prefix, data.campaign, lane);
    if ((await redis.getbit(lk.doneChunks, data.index)) === 1) return { status: 'already-done' };

    const expected = chunkAt(spec, data.index);
    if (data.index >= spec.chunksTotal || JSON.stringify(expected) !== JSON.stringify(data.chunk)) {
      throw new UnrecoverableError(
        `invalid chunk payload: chunk ${data.index} ${JSON.stringify(data.chunk)} is not chunk ${data.index} of campaign ${data.campaign} (${spec.chunksTotal} chunks)`,
      );
    }
    const runtime = this.runtimeFor(spec);
    const label = jobLabel(spec.name, data.index, lane);
    const labels = { campaign: spec.name, job: label, vantage: lane ?? this.ctx.vantage ?? spec.vantage };
    // Each kept record as its JSON text, made as it arrives: a chunk's records live until the commit, and
    // thousands of records as objects (fifty-odd each) cost the garbage collector far more than as one string each.
    const kept: string[] = [];
    const startedAt = new Date().toISOString();
    const pacer: Pacer = {
      take: async (takeSignal) => {
        await runtime.pacer.take(takeSignal);
        if (takeSignal?.aborted !== true) this.ctx.onProbeStart?.();
      },
    };
    const stats = await runChunk({
      addresses: addressesOf(runtime.plan, data.chunk),
      names: runtime.names,
      port: spec.port,
      concurrency: spec.concurrency,
      driver: {
        ...driverOptions(spec, this.ctx.tlsContextFor(spec)),
        ...(this.ctx.sourceAddresses === undefined ? {} : { sourceAddresses: this.ctx.sourceAddresses }),
      },
      labels,
      pacer,
      ...(this.ctx.slots === undefined ? {} : { slots: { pool: this.ctx.slots, rank: this.started++ } }),
      signal,
      onRecord: (r) => {
        this.ctx.onRecord?.(r);
        // Unresponsive addresses are counted in the job stats only (the store's rule).
        if (isResponsive(r)) kept.push(JSON.stringify(r));
      },
    });
    if (signal.aborted) return { status: 'discarded' };
    const code = await commitChunk(
      redis,
      prefix,
      spec,
      lane,
      data.index,
      label,
      labels.vantage,
      stats,
      kept,
      startedAt,
    );
    if (code === -1) return { status: 'cancelled' };
    if (code === 0) return { status: 'already-done' };
    const ended = code === 2 ? 'done' : code === 3 ? 'done-with-failures' : null;
    return { status: 'committed', attempted: stats.attempted, responsive: stats.responsive, ended };
  }

  private runtimeFor(spec: CampaignSpec): CampaignRuntime {
    const specJson = JSON.stringify(spec);
    const cached = this.runtimes.get(spec.name);
    if (cached !== undefined && cached.specJson === specJson) return cached;
    const { set, names } = campaignTargets(spec);
    const plan = planScan(set, { seed: spec.seed, shards: 1, shard: 0 });
    const pacer =
      spec.rate > 0
        ? new RedisPacer({
            redis: this.ctx.redis,
            bucketKey: campaignKeys(this.ctx.prefix, spec.name).bucket,
            ratePerSecond: spec.rate,
          })
        : UNPACED;
    const runtime = { specJson, plan, names, pacer };
    this.runtimes.set(spec.name, runtime);
    return runtime;
  }
}

/** The campaign's target set, rebuilt from its spec, and the names its target lines carried. */
export function campaignTargets(spec: CampaignSpec): { set: TargetSet; names: TargetNames } {
  // The spec keeps the target strings as given: names (`ip,name`) come back from them here.
  return buildNamedTargetSet({
    specs: spec.specs,
    allowReserved: spec.allowReserved,
    blocklists: spec.blocklists,
    ...(spec.allowlist == null ? {} : { allowlist: spec.allowlist }),
  });
}

export function driverOptions(spec: CampaignSpec, tlsContext: ProbeTlsContext): DriverOptions {
  return {
    ehloName: spec.ehloName,
    forceStartTls: spec.forceStartTls,
    implicitTls: spec.implicitTls,
    limits: DEFAULT_LIMITS,
    timeoutMs: spec.timeoutMs,
    connectTimeoutMs: spec.connectTimeoutMs,
    tlsContext,
  };
}

async function commitChunk(
  redis: Redis,
  prefix: string,
  spec: CampaignSpec,
  lane: Lane,
  index: number,
  label: string,
  vantage: string,
  stats: ChunkStats,
  /** Each record's JSON text. */
  records: string[],
  startedAt: string,
): Promise<number> {
  const keys = campaignKeys(prefix, spec.name);
  const lk = laneKeys(prefix, spec.name, lane);
  const failedKeys = failedKeysOf(prefix, spec);
  const now = new Date().toISOString();
  const jobStats = {
    campaign: spec.name,
    job: label,
    vantage,
    attempted: stats.attempted,
    responsive: stats.responsive,
    connect_timeouts: stats.connectTimeouts,
    held_ms: stats.heldMs,
    outcome_counts: Object.fromEntries(
      OUTCOMES.filter((o) => stats.outcomes[o] > 0).map((o) => [o, stats.outcomes[o]]),
    ),
    started_at: startedAt,
    finished_at: now,
  };
  const increments: string[] = ['attempted', String(stats.attempted), 'responsive', String(stats.responsive)];
  for (const o of OUTCOMES) if (stats.outcomes[o] > 0) increments.push(`o:${o}`, String(stats.outcomes[o]));
  for (const f of FINGERPRINTS) if (stats.fingerprints[f] > 0) increments.push(`f:${f}`, String(stats.fingerprints[f]));
  const code = await redis.eval(
    COMMIT_CHUNK,
    5 + failedKeys.length,
    keys.campaign,
    lk.doneChunks,
    resultStreamKey(prefix),
    lk.failedChunks,
    lk.progress,
    ...failedKeys,
    String(index),
    String(chunkJobsTotal(spec)),
    now,
    label,
    spec.name,
    JSON.stringify(jobStats),
    // What JSON.stringify of the records' array gives.
    `[${records.join(',')}]`,
    ...increments,
  );
  return Number(code);
}
