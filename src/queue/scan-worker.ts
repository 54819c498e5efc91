/**
 * A scan worker: takes chunk jobs of one campaign from BullMQ, runs them
 * through the ChunkProcessor, keeps the queue fed, and reports a heartbeat.
 *
 * Shutdown (SIGTERM): active chunks stop taking addresses, probes in flight
 * finish (bounded by the probe timeout), and the unfinished chunk goes back
 * to the waiting list, uncommitted, for another worker.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createProbeTlsContext, type ProbeTlsContext } from '../probe/tls-context.js';
import type { CampaignSpec } from './campaign-spec.js';
import { readCampaign } from './campaign-store.js';
import { ChunkProcessor, type ChunkResult } from './chunk-processor.js';
import { feedCampaign } from './feeder.js';
import { campaignKeys } from './keys.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { connectRedis } from './redis-connection.js';
import { WorkerMetrics } from './worker-metrics.js';

export interface ScanWorkerOptions {
  redisUrl: string;
  prefix: string;
  campaign: string;
  /** Overrides the campaign's vantage label (a worker at another vantage point). */
  vantage?: string;
  /** Trust anchors for cert_status; default: the campaign's --ca-file, read on this machine. */
  caFile?: string;
  /** Chunks this process runs at once (each with the campaign's probe concurrency). Default 1; the CLI's 2 overlaps one chunk's slow tail (timeouts) with the next chunk's probes. */
  jobs?: number;
  /** BullMQ lock: a killed worker's chunk runs again this long after its last renewal. Default 30 s. */
  lockDurationMs?: number;
  metricsPort?: number;
  metricsHost?: string;
  /** Resolve `done` when the campaign is finished or cancelled. */
  exitWhenDone?: boolean;
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface ScanWorker {
  readonly id: string;
  readonly metricsPort: number | null;
  /** Resolves when the campaign ends (with exitWhenDone) or the worker is closed. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

const WORKER_TTL_MS = 15_000;

export async function startScanWorker(opts: ScanWorkerOptions): Promise<ScanWorker> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = opts.log ?? (() => undefined);
  const redis: Redis = connectRedis(opts.redisUrl, `stripscan-worker-${id}`);
  const initial = await readCampaign(redis, opts.prefix, opts.campaign);
  const keys = campaignKeys(opts.prefix, opts.campaign);
  const bullConnection = connectRedis(opts.redisUrl, `stripscan-worker-bull-${id}`);
  const queue = new Queue(keys.queueName, { connection: redis, prefix: opts.prefix });
  queue.on('error', () => undefined);

  const metrics = new WorkerMetrics(opts.campaign, () => queue.getWaitingCount());
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
  // Fail at start, not per chunk, when the CA file is unreadable here.
  tlsContextFor(initial.spec);
  const processor = new ChunkProcessor({
    redis,
    prefix: opts.prefix,
    vantage: opts.vantage,
    tlsContextFor,
    onProbeStart: () => metrics.probeStarted(),
    onRecord: (r) => metrics.probeFinished(r),
  });

  const active = new Map<string, AbortController>();
  let shuttingDown = false;
  let cancelled = false;

  const worker = new Worker(
    keys.queueName,
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
            `chunk ${job.id}: ${result.attempted} probed, ${result.responsive} responsive${result.last ? '; campaign done' : ''}`,
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
      concurrency: opts.jobs ?? 1,
      lockDuration: opts.lockDurationMs ?? 30_000,
      // Check for stalled chunks as often as locks can expire: a short lock is useless if the check runs every 30 s.
      stalledInterval: Math.min(30_000, opts.lockDurationMs ?? 30_000),
      // A chunk may stall more than once (kill -9, Redis restart); the done bitmap makes re-runs harmless.
      maxStalledCount: 10,
      autorun: true,
    },
  );
  worker.on('error', () => undefined);
  worker.on('failed', (job, err) => log(`chunk ${job?.id ?? '?'} failed: ${err.message}`));

  let feeding = false;
  async function feed(): Promise<void> {
    if (feeding) return;
    feeding = true;
    try {
      await feedCampaign(redis, queue, opts.prefix, opts.campaign);
    } catch {
      // Redis away: the next heartbeat feeds again.
    } finally {
      feeding = false;
    }
  }

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  async function heartbeat(): Promise<void> {
    try {
      const now = Date.now();
      await redis
        .multi()
        .zadd(keys.workers, now, id)
        .zremrangebyscore(keys.workers, 0, now - 10 * WORKER_TTL_MS)
        .exec();
      const record = await readCampaign(redis, opts.prefix, opts.campaign);
      if (record.state === 'cancelled' && !cancelled) {
        cancelled = true;
        for (const a of active.values()) a.abort();
      }
      if (opts.exitWhenDone === true && (record.state === 'done' || record.state === 'cancelled')) resolveDone();
      await feed();
    } catch {
      // Redis away: keep beating; ioredis reconnects.
    }
  }
  const beat = setInterval(() => void heartbeat(), opts.heartbeatMs ?? 1_000);
  void heartbeat();

  let metricsServer: MetricsServer | null = null;
  if (opts.metricsPort !== undefined) {
    metricsServer = await serveMetrics(metrics.registry, opts.metricsPort, opts.metricsHost);
  }

  let closing: Promise<void> | null = null;
  return {
    id,
    metricsPort: metricsServer?.port ?? null,
    done,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        clearInterval(beat);
        for (const a of active.values()) a.abort();
        await worker.close();
        await redis.zrem(keys.workers, id).catch(() => undefined);
        await queue.close();
        await metricsServer?.close();
        redis.disconnect();
        bullConnection.disconnect();
        resolveDone();
      })();
      return closing;
    },
  };
}
