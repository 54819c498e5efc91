/**
 * A scan worker: takes chunk jobs of one campaign from BullMQ, runs them
 * through the ChunkProcessor, keeps the queue fed, and reports a heartbeat.
 *
 * Shutdown (SIGTERM): active chunks stop taking addresses, probes in flight
 * finish (bounded by the probe timeout), and the unfinished chunk goes back
 * to the waiting list, uncommitted, for another worker.
 *
 * Redis away: the worker waits for it for ever, saying so once (redis-health.ts)
 * and in its metrics. A campaign that does not exist is a UsageError (exit 2);
 * one that has already ended gives a worker with nothing to do (`ended`).
 *
 * A campaign with several vantages has a queue per vantage (keys.ts, lanes):
 * the worker takes only the chunks of the vantage it declares (`vantage`),
 * and must declare one of the campaign's.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { familiesOf, type SourceAddresses } from '../probe/source-addresses.js';
import { createProbeTlsContext, type ProbeTlsContext } from '../probe/tls-context.js';
import { ProbeSlots } from '../scan/probe-slots.js';
import { ENDED_STATES, type CampaignSpec, type CampaignState } from './campaign-spec.js';
import { readCampaign, type CampaignRecord } from './campaign-store.js';
import { finalChunkFailure, recordChunkFailure } from './chunk-failures.js';
import { campaignTargets, ChunkProcessor, type ChunkResult } from './chunk-processor.js';
import { feedCampaign } from './feeder.js';
import { campaignKeys, laneKeys, type Lane } from './keys.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { connectRedis, redisAddress } from './redis-connection.js';
import { readWhileUp, watchRedisHealth } from './redis-health.js';
import { WorkerMetrics } from './worker-metrics.js';

export interface ScanWorkerOptions {
  redisUrl: string;
  prefix: string;
  campaign: string;
  /**
   * Single-vantage campaign: overrides its vantage label (a worker at another vantage point).
   * Multi-vantage campaign: which of its vantages this worker is (required), whose chunks it takes.
   */
  vantage?: string;
  /** Bind outgoing connections to these addresses, rotated per connection (`--source-address`). */
  sourceAddresses?: SourceAddresses;
  /** Trust anchors for cert_status; default: the campaign's --ca-file, read on this machine. */
  caFile?: string;
  /**
   * Chunks this process probes at full speed at once (each with the campaign's probe concurrency). Default 1;
   * the CLI's 2. One chunk more is taken, and probes with the slots the others' slow tails (timeouts) leave
   * free: probes in flight stay within jobs × concurrency (src/scan/probe-slots.ts).
   */
  jobs?: number;
  /** BullMQ lock: a killed worker's chunk runs again this long after its last renewal. Default 30 s. */
  lockDurationMs?: number;
  metricsPort?: number;
  metricsHost?: string;
  /** Resolve `done` when the campaign is finished or cancelled. */
  exitWhenDone?: boolean;
  heartbeatMs?: number;
  /** Bound on one Redis connection attempt and on a metrics read (--service-timeout). Default 5 s. */
  serviceTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ScanWorker {
  readonly id: string;
  readonly metricsPort: number | null;
  /** Set when the campaign had already ended at start: the worker did not start, `done` is resolved. */
  readonly ended: { state: CampaignState; failedChunks: number } | null;
  /** Resolves when the campaign ends (with exitWhenDone) or the worker is closed. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

const WORKER_TTL_MS = 15_000;
/** How often a worker with running chunks checks for a cancel. */
const CANCEL_CHECK_MS = 250;

export async function startScanWorker(opts: ScanWorkerOptions): Promise<ScanWorker> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = opts.log ?? (() => undefined);
  const serviceTimeoutMs = opts.serviceTimeoutMs ?? 5_000;
  const redis: Redis = connectRedis(opts.redisUrl, `stripscan-worker-${id}`, serviceTimeoutMs);
  const keys = campaignKeys(opts.prefix, opts.campaign);
  // The lane (and so the queue) is known once the campaign is read; until then there is no queue to count.
  let queue: Queue | null = null;
  // Metrics and outage reporting come before the first Redis command: a
  // worker started while Redis is down says so, and its scrape shows it.
  const metrics = new WorkerMetrics(opts.campaign, () =>
    readWhileUp(health, serviceTimeoutMs, () => queue?.getWaitingCount() ?? Promise.resolve(0)),
  );
  const health = watchRedisHealth(redis, redisAddress(opts.redisUrl), metrics.registry, log);
  let metricsServer: MetricsServer | null = null;
  if (opts.metricsPort !== undefined) {
    metricsServer = await serveMetrics(metrics.registry, opts.metricsPort, opts.metricsHost);
  }

  // Before the worker proper exists, leaving means releasing just these.
  const abandon = async (): Promise<void> => {
    await queue?.close().catch(() => undefined);
    await metricsServer?.close();
    redis.disconnect();
  };
  const tlsContexts = new Map<string, ProbeTlsContext>();
  const tlsContextFor = (spec: CampaignSpec): ProbeTlsContext => {
    const caFile = opts.caFile ?? spec.caFile ?? undefined;
    const key = caFile ?? '';
    let ctx = tlsContexts.get(key);
    if (ctx === undefined) {
      ctx = createProbeTlsContext(caFile === undefined ? {} : { caFile });
      tlsContexts.set(key, ctx);
    }
    return ctx;
  };
  let initial: CampaignRecord;
  let lane: Lane;
  try {
    initial = await readCampaign(redis, opts.prefix, opts.campaign);
    lane = laneOfWorker(initial.spec, opts.vantage);
    opts.sourceAddresses?.checkFamilies(familiesOf(campaignTargets(initial.spec).set));
    // Fail at start, not per chunk, when the CA file is unreadable here.
    tlsContextFor(initial.spec);
  } catch (err) {
    await abandon();
    throw err;
  }
  const lk = laneKeys(opts.prefix, opts.campaign, lane);
  const laneQueue = new Queue(lk.queueName, { connection: redis, prefix: opts.prefix });
  laneQueue.on('error', () => undefined);
  queue = laneQueue;
  if (ENDED_STATES.includes(initial.state)) {
    await abandon();
    return {
      id,
      metricsPort: null,
      ended: { state: initial.state, failedChunks: initial.failedChunks },
      done: Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  const bullConnection = connectRedis(opts.redisUrl, `stripscan-worker-bull-${id}`, serviceTimeoutMs);
  const jobs = opts.jobs ?? 1;
  const processor = new ChunkProcessor({
    redis,
    prefix: opts.prefix,
    vantage: opts.vantage,
    slots: new ProbeSlots(jobs * initial.spec.concurrency),
    ...(opts.sourceAddresses === undefined ? {} : { sourceAddresses: opts.sourceAddresses }),
    tlsContextFor,
    onProbeStart: () => metrics.probeStarted(),
    onRecord: (r) => metrics.probeFinished(r),
  });

  const active = new Map<string, AbortController>();
  let shuttingDown = false;
  let cancelled = false;

  const worker = new Worker(
    lk.queueName,
    async (job: Job, token?: string): Promise<ChunkResult> => {
      const abort = new AbortController();
      if (cancelled) abort.abort();
      active.set(job.id ?? '', abort);
      const timer = metrics.chunkDuration.startTimer({ campaign: opts.campaign });
      try {
        const result = await processor.process(job.data, abort.signal);
        timer({ status: result.status });
        if (
          result.status === 'discarded' &&
          shuttingDown &&
          token !== undefined &&
          (await redis.hget(keys.campaign, 'state')) !== 'cancelled'
        ) {
          // Give the chunk back now rather than after the lock expires.
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (result.status === 'committed') {
          log(
            `chunk ${job.id}: ${result.attempted} probed, ${result.responsive} responsive${result.ended === null ? '' : `; campaign ${result.ended}`}`,
          );
        }
        return result;
      } finally {
        active.delete(job.id ?? '');
        if (!shuttingDown) void feed();
      }
    },
    {
      connection: bullConnection,
      prefix: opts.prefix,
      // One chunk more than --jobs: it fills the others' tails (ProbeSlots above).
      concurrency: jobs + 1,
      lockDuration: opts.lockDurationMs ?? 30_000,
      // Check for stalled chunks as often as locks can expire: a short lock is useless if the check runs every 30 s.
      stalledInterval: Math.min(30_000, opts.lockDurationMs ?? 30_000),
      // A chunk may stall more than once (kill -9, Redis restart); the done bitmap makes re-runs harmless.
      maxStalledCount: 10,
      autorun: true,
    },
  );
  worker.on('error', () => undefined);
  worker.on('failed', (job, err) => {
    if (job === undefined) return;
    const final = finalChunkFailure(job, err, opts.campaign, initial.spec.chunksTotal, lane);
    if (final === null) {
      log(`chunk ${job.id ?? '?'} failed (attempt ${job.attemptsMade}): ${err.message}`);
      return;
    }
    log(`chunk ${job.id ?? '?'} failed for good after ${job.attemptsMade} attempt(s): ${err.message}`);
    // Should this write be lost (Redis gone for good, process killed), the feeder's settling finds the job in BullMQ's failed set.
    recordChunkFailure(redis, opts.prefix, initial.spec, lane, final.index, final.failure).then(
      (outcome) => {
        if (outcome === 'campaign-ended') log(`campaign ${opts.campaign} done-with-failures`);
      },
      () => undefined,
    );
  });

  let feeding = false;
  async function feed(): Promise<void> {
    if (feeding) return;
    feeding = true;
    try {
      await feedCampaign(redis, laneQueue, opts.prefix, opts.campaign, lane);
    } catch {
      // Redis away: the next heartbeat feeds again.
    } finally {
      feeding = false;
    }
  }

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let beating = false;
  async function heartbeat(): Promise<void> {
    // While Redis is away a beat waits for the reconnect; do not pile more behind it.
    if (beating) return;
    beating = true;
    try {
      const now = Date.now();
      await redis
        .multi()
        .zadd(lk.workers, now, id)
        .zremrangebyscore(lk.workers, 0, now - 10 * WORKER_TTL_MS)
        .exec();
      const record = await readCampaign(redis, opts.prefix, opts.campaign);
      if (record.state === 'cancelled') abortForCancel();
      if (opts.exitWhenDone === true && ENDED_STATES.includes(record.state)) resolveDone();
      await feed();
    } catch {
      // A failed read (the campaign deleted by hand): the next beat tries again.
    } finally {
      beating = false;
    }
  }
  const beat = setInterval(() => void heartbeat(), opts.heartbeatMs ?? 1_000);
  void heartbeat();

  // Cancel must stop connections within a second whatever the heartbeat, so
  // while chunks run, the state alone is read more often (one small HGET).
  function abortForCancel(): void {
    if (cancelled) return;
    cancelled = true;
    for (const a of active.values()) a.abort();
  }
  let watching = false;
  const cancelWatch = setInterval(() => {
    if (active.size === 0 || cancelled || watching) return;
    watching = true;
    redis
      .hget(keys.campaign, 'state')
      .then((state) => state === 'cancelled' && abortForCancel())
      .catch(() => undefined)
      .finally(() => (watching = false));
  }, CANCEL_CHECK_MS);

  let closing: Promise<void> | null = null;
  return {
    id,
    metricsPort: metricsServer?.port ?? null,
    ended: null,
    done,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        clearInterval(beat);
        clearInterval(cancelWatch);
        for (const a of active.values()) a.abort();
        await worker.close();
        await redis.zrem(lk.workers, id).catch(() => undefined);
        await laneQueue.close();
        await metricsServer?.close();
        redis.disconnect();
        bullConnection.disconnect();
        resolveDone();
      })();
      return closing;
    },
  };
}

/**
 * The lane a worker serves: the null lane of a single-vantage campaign (where
 * --vantage only relabels), or the vantage it declares among the campaign's.
 */
export function laneOfWorker(spec: CampaignSpec, vantage: string | undefined): Lane {
  if (spec.vantages === undefined) return null;
  const list = spec.vantages.join(', ');
  if (vantage === undefined) {
    throw new UsageError(
      `campaign ${spec.name} runs from vantages ${list}: start the worker with --vantage and one of them`,
    );
  }
  if (!spec.vantages.includes(vantage)) {
    throw new UsageError(`--vantage ${JSON.stringify(vantage)}: not a vantage of campaign ${spec.name} (${list})`);
  }
  return vantage;
}
