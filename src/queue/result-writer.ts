/**
 * The result writer: the one process that owns the store in a distributed
 * campaign. It drives small parts that each do one thing (writer/):
 *
 *   stream-reader   read and claim entries, with their delivery counts
 *   result-entry    check an entry (kind, fields, every record)
 *   store-entry     insert it: records, job statistics, the campaign's row
 *   settle          decide: acknowledge, dead-letter, or keep for later
 *   dead-letters    acknowledge (XACK + XDEL) or set aside, atomically
 *
 * An entry is acknowledged only once its rows are in ClickHouse or in a spool
 * file that this writer replays (on a timer, and at start). A writer killed
 * before its acknowledgement leaves the entry pending; a live writer claims it
 * after `claimIdleMs` and inserts it again with the same token, which
 * ClickHouse drops as a duplicate. An entry that cannot be stored goes to the
 * dead letters and the entries behind it flow.
 *
 * ClickHouse away (unreachable, disk full): the entry in hand spools, the
 * writer says "waiting for ClickHouse at … (reason)" once, stops reading (the
 * stream holds the rest), and tries again with backoff up to 30 s, replaying
 * the spool as its test; it says when ClickHouse is back.
 *
 * Redis away: the writer waits for it for ever, saying so once and in its
 * metrics (redis-health.ts); what it has not acknowledged stays in Redis.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { StoreError, type StripscanError } from '../errors.js';
import { createWriter, isStoreOutage, type ReplayResult, type RecordWriter, type Store } from '../store/index.js';
import { resultStreamKey } from './keys.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { connectRedis, redisAddress } from './redis-connection.js';
import { readWhileUp, watchRedisHealth } from './redis-health.js';
import { CampaignMirror } from './writer/campaign-mirror.js';
import { ClickHouseHealth } from './writer/clickhouse-health.js';
import { crashPoint } from './writer/crash-point.js';
import { acknowledge, moveToDeadLetters } from './writer/dead-letters.js';
import { parseResultEntry } from './writer/result-entry.js';
import { settle, type EntryOutcome } from './writer/settle.js';
import { storeEntry } from './writer/store-entry.js';
import { ResultStreamReader, type Delivery } from './writer/stream-reader.js';
import { WriterMetrics } from './writer/writer-metrics.js';

export interface ResultWriterOptions {
  redisUrl: string;
  prefix: string;
  /** The store this writer owns; the caller opens it and closes it after close(). */
  store: Store;
  /** Entries another writer read but did not acknowledge for this long are taken over. Default 60 s. */
  claimIdleMs?: number;
  /** Entries per read. Default 16 (an entry is one chunk's records). */
  batchEntries?: number;
  /** Deliveries of an entry ClickHouse keeps refusing before it goes to the dead letters. Default 5. */
  maxDeliveries?: number;
  /** Pause before an entry ClickHouse refused is tried again. Default 5 s. */
  retryPendingMs?: number;
  /** How often the spool is replayed while the writer runs. Default 30 s. */
  replayEveryMs?: number;
  /** How often campaign records are mirrored from Redis into the store. Default 10 s. */
  mirrorEveryMs?: number;
  metricsPort?: number;
  metricsHost?: string;
  /** Bound on one Redis connection attempt and on a metrics read (--service-timeout). Default 5 s. */
  serviceTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ResultWriter {
  readonly metricsPort: number | null;
  readonly stats: { entries: number; rows: number; failures: number; deadLetters: number };
  /** Settles after close(); rejects when the store fails for good (a changed migration, not an outage). */
  readonly done: Promise<void>;
  /** Stop reading; the entry being stored finishes and is settled; buffered rows are written. */
  close(): Promise<void>;
}

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;

export async function startResultWriter(opts: ResultWriterOptions): Promise<ResultWriter> {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = opts.log ?? (() => undefined);
  const { store } = opts;
  const serviceTimeoutMs = opts.serviceTimeoutMs ?? 5_000;
  const redis: Redis = connectRedis(opts.redisUrl, `stripscan-writer-${consumer}`, serviceTimeoutMs);
  const stream = resultStreamKey(opts.prefix);
  const maxDeliveries = opts.maxDeliveries ?? 5;
  const mirrorEveryMs = opts.mirrorEveryMs ?? 10_000;
  const reader = new ResultStreamReader(redis, stream, consumer, {
    claimIdleMs: opts.claimIdleMs ?? 60_000,
    count: opts.batchEntries ?? 16,
    retryPendingMs: opts.retryPendingMs ?? 5_000,
  });

  const registry = new Registry();
  const redisHealth = watchRedisHealth(redis, redisAddress(opts.redisUrl), registry, log);
  const metrics = new WriterMetrics(registry, () =>
    readWhileUp(redisHealth, serviceTimeoutMs, () => redis.xlen(stream)),
  );
  const health = new ClickHouseHealth(store.description, registry, log);
  const stats = { entries: 0, rows: 0, failures: 0, deadLetters: 0 };
  // Serve metrics first: a writer started while a service is down shows it in its scrape.
  let metricsServer: MetricsServer | null = null;
  if (opts.metricsPort !== undefined) metricsServer = await serveMetrics(registry, opts.metricsPort, opts.metricsHost);

  const stop = new AbortController();
  /** Sleeps, or less when close() is called. */
  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: stop.signal }).catch(() => undefined);

  let writer: RecordWriter | null = null;
  let spoolRowsSeen = 0;
  const reported = new Set<string>();
  const onReplay = (r: ReplayResult): void => {
    if (r.files > 0) log(`loaded ${r.files} spooled batch(es), ${r.rows} rows, from ${writer?.spoolDir ?? ''}`);
    for (const s of r.skipped) {
      if (reported.has(s.file)) continue;
      reported.add(s.file);
      log(`kept spool file ${s.file}: ${s.reason}`);
    }
  };

  /** Migrations, waiting for ClickHouse as long as it takes; false when stopped first. */
  async function prepareStore(): Promise<boolean> {
    for (let backoff = BACKOFF_FIRST_MS; !stop.signal.aborted; backoff = Math.min(BACKOFF_MAX_MS, backoff * 2)) {
      try {
        await store.migrate();
        health.up();
        return true;
      } catch (err) {
        if (!isStoreOutage(err)) throw err;
        health.down(err as StripscanError);
        await pause(backoff);
      }
    }
    return false;
  }

  /** After an outage: replay the spool (the real test of an insert) and ask a server for /ping, with backoff. */
  async function waitForStore(w: RecordWriter): Promise<void> {
    for (let backoff = BACKOFF_FIRST_MS; !stop.signal.aborted; backoff = Math.min(BACKOFF_MAX_MS, backoff * 2)) {
      await pause(backoff);
      if (await w.probeStore()) {
        health.up();
        return;
      }
    }
  }

  async function outcomeOf(delivery: Delivery, w: RecordWriter, m: CampaignMirror): Promise<EntryOutcome> {
    const parsed = parseResultEntry(delivery.fields);
    if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
    try {
      const rows = await storeEntry(parsed.entry, { writer: w, mirror: m });
      metrics.rows.inc(rows);
      stats.rows += rows;
      return { kind: 'stored' };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // Neither stored nor spooled: the store is away and so is the spool's disk.
      if (isStoreOutage(err) || (err instanceof StoreError && err.code === 'E_SPOOL_WRITE')) {
        return { kind: 'not-stored', reason };
      }
      return { kind: 'refused', reason };
    }
  }

  async function handle(delivery: Delivery, w: RecordWriter, m: CampaignMirror): Promise<void> {
    crashPoint('after-read');
    const outcome = await outcomeOf(delivery, w, m);
    if (outcome.kind === 'stored') crashPoint('after-store');
    const decision = settle(outcome, delivery.deliveries, maxDeliveries);
    switch (decision.action) {
      case 'acknowledge':
        await acknowledge(redis, opts.prefix, delivery.id);
        metrics.entries.inc();
        stats.entries++;
        return;
      case 'dead-letter':
        await moveToDeadLetters(redis, opts.prefix, delivery, decision.reason);
        metrics.deadLetters.inc();
        stats.deadLetters++;
        log(`entry ${delivery.id} moved to the dead letters: ${decision.reason}`);
        return;
      case 'keep':
        metrics.failures.inc();
        stats.failures++;
        if (outcome.kind === 'refused') {
          log(`entry ${delivery.id} (delivery ${delivery.deliveries} of ${maxDeliveries}): ${outcome.reason}`);
        }
        return;
    }
  }

  async function loop(): Promise<void> {
    if (!(await prepareStore())) return;
    const w = createWriter(store, { replayEveryMs: opts.replayEveryMs ?? 30_000, onReplay });
    const m = new CampaignMirror(redis, opts.prefix, w);
    writer = w;
    await reader.ensureGroup();
    let lastMirror = 0;
    while (!stop.signal.aborted) {
      try {
        if (w.outage !== null) {
          health.down(w.outage);
          await waitForStore(w);
          continue;
        }
        if (Date.now() - lastMirror >= mirrorEveryMs) {
          lastMirror = Date.now();
          await m.mirrorAll();
        }
        for (const delivery of await reader.next()) {
          if (stop.signal.aborted) break;
          await handle(delivery, w, m);
          // The store went away during this entry: the rest of the batch stays pending, read again when it is back.
          if (w.outage !== null) break;
        }
        const spooled = Object.values(w.stats.spooledByTable).reduce((a, b) => a + b, 0);
        metrics.spooledRows.inc(spooled - spoolRowsSeen);
        spoolRowsSeen = spooled;
      } catch (err) {
        metrics.failures.inc();
        stats.failures++;
        log(`${err instanceof Error ? err.message : String(err)}; retrying`);
        if (err instanceof Error && err.message.includes('NOGROUP')) await reader.ensureGroup().catch(() => undefined);
        await pause(BACKOFF_FIRST_MS);
      }
    }
  }
  const running = loop();

  return {
    metricsPort: metricsServer?.port ?? null,
    stats,
    done: running,
    async close() {
      stop.abort();
      try {
        await running.catch(() => undefined);
        await writer?.close();
      } finally {
        await metricsServer?.close();
        redis.disconnect();
      }
    },
  };
}
