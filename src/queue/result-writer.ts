/**
 * The result writer: the one process that owns the store in a distributed
 * campaign. It reads the result stream as a member of a consumer group,
 * inserts each chunk's records with a dedup token named after the chunk,
 * and acknowledges (then deletes) an entry only after its insert succeeded.
 *
 * A writer killed between insert and acknowledgement leaves the entry
 * pending; a live writer claims it after `claimIdleMs` (XAUTOCLAIM) and
 * inserts it again with the same token, which ClickHouse drops as a
 * duplicate. Entries no writer has read simply wait in the stream.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import type { ScanRecord } from '../record.js';
import { recordJobStats, upsertCampaign, type JobStatsRow, type RecordWriter, type Store } from '../store/index.js';
import { CampaignSpec } from './campaign-spec.js';
import { campaignKeys, resultStreamKey, WRITER_GROUP } from './keys.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { connectRedis } from './redis-connection.js';

export interface ResultWriterOptions {
  redisUrl: string;
  prefix: string;
  store: Store;
  writer: RecordWriter;
  /** Entries another writer read but did not acknowledge for this long are taken over. Default 60 s. */
  claimIdleMs?: number;
  /** Entries per read. Default 16 (an entry is one chunk's records). */
  batchEntries?: number;
  metricsPort?: number;
  metricsHost?: string;
  log?: (line: string) => void;
}

export interface ResultWriter {
  readonly metricsPort: number | null;
  readonly stats: { entries: number; rows: number; failures: number };
  /** Stop reading; the entry being inserted finishes and is acknowledged. */
  close(): Promise<void>;
}

type Entry = [id: string, fields: string[]];

const JobStats = z.object({
  campaign: z.string(),
  job: z.string(),
  vantage: z.string(),
  attempted: z.number(),
  responsive: z.number(),
  connect_timeouts: z.number(),
  // Workers older than the overload guard send none.
  held_ms: z.number().default(0),
  outcome_counts: z.record(z.string(), z.number()),
  started_at: z.string(),
  finished_at: z.string(),
});

export async function startResultWriter(opts: ResultWriterOptions): Promise<ResultWriter> {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = opts.log ?? (() => undefined);
  const redis: Redis = connectRedis(opts.redisUrl, `stripscan-writer-${consumer}`);
  const stream = resultStreamKey(opts.prefix);
  const claimIdleMs = opts.claimIdleMs ?? 60_000;
  const count = opts.batchEntries ?? 16;
  await ensureGroup(redis, stream);

  const registry = new Registry();
  const rows = new Counter({
    name: 'stripscan_writer_rows_total',
    help: 'Observation rows inserted',
    registers: [registry],
  });
  const entriesDone = new Counter({
    name: 'stripscan_writer_entries_total',
    help: 'Stream entries acknowledged',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'stripscan_writer_failures_total',
    help: 'Failed insert rounds',
    registers: [registry],
  });
  new Gauge({
    name: 'stripscan_writer_backlog_entries',
    help: 'Result stream entries not yet acknowledged (one per chunk)',
    registers: [registry],
    async collect() {
      this.set(await redis.xlen(stream).catch(() => NaN));
    },
  });
  const stats = { entries: 0, rows: 0, failures: 0 };

  async function handle(entry: Entry): Promise<void> {
    const [id, list] = entry;
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < list.length; i += 2) fields.set(list[i] as string, list[i + 1] as string);
    const kind = fields.get('kind');
    if (kind === 'chunk') {
      const records = JSON.parse(fields.get('records') ?? '[]') as ScanRecord[];
      const jobStats = JobStats.parse(JSON.parse(fields.get('stats') ?? 'null')) as JobStatsRow;
      // One entry per committed chunk: the job label names the batch for ever.
      await opts.writer.writeBatch(records, `${jobStats.campaign}/${jobStats.job}/stream`);
      await recordJobStats(opts.store, jobStats);
      rows.inc(records.length);
      stats.rows += records.length;
    } else if (kind === 'campaign') {
      const spec = CampaignSpec.parse(JSON.parse(fields.get('spec') ?? 'null'));
      await upsertCampaign(opts.store, campaignRow(spec, null));
    } else if (kind === 'campaign-end') {
      const raw = await redis.hget(campaignKeys(opts.prefix, fields.get('campaign') ?? '').campaign, 'spec');
      if (raw !== null) {
        await upsertCampaign(
          opts.store,
          campaignRow(CampaignSpec.parse(JSON.parse(raw)), fields.get('endedAt') ?? null),
        );
      }
    } else {
      log(`entry ${id}: unknown kind ${JSON.stringify(kind)}; acknowledged without insert`);
    }
    await redis.multi().xack(stream, WRITER_GROUP, id).xdel(stream, id).exec();
    entriesDone.inc();
    stats.entries++;
  }

  let stopping = false;
  let lastClaim = 0;
  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        let entries: Entry[] = [];
        if (Date.now() - lastClaim >= Math.min(claimIdleMs, 5_000)) {
          lastClaim = Date.now();
          // Reply: [cursor, entries, deleted ids]; entriesOf reads the second element.
          entries = entriesOf(
            await redis.xautoclaim(stream, WRITER_GROUP, consumer, claimIdleMs, '0-0', 'COUNT', count),
          );
        }
        if (entries.length === 0) {
          // Our own pending entries first (a failed insert round), then new ones.
          entries = await readGroup(redis, stream, consumer, count, '0');
          if (entries.length === 0) entries = await readGroup(redis, stream, consumer, count, '>');
        }
        for (const entry of entries) {
          if (stopping) break;
          await handle(entry);
        }
      } catch (err) {
        failures.inc();
        stats.failures++;
        log(`writer: ${err instanceof Error ? err.message : String(err)}; retrying`);
        if (isMissingGroup(err)) await ensureGroup(redis, stream).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  const running = loop();

  let metricsServer: MetricsServer | null = null;
  if (opts.metricsPort !== undefined) metricsServer = await serveMetrics(registry, opts.metricsPort, opts.metricsHost);

  return {
    metricsPort: metricsServer?.port ?? null,
    stats,
    async close() {
      stopping = true;
      await running;
      await metricsServer?.close();
      redis.disconnect();
    },
  };
}

async function readGroup(
  redis: Redis,
  stream: string,
  consumer: string,
  count: number,
  from: string,
): Promise<Entry[]> {
  const args = ['GROUP', WRITER_GROUP, consumer, 'COUNT', String(count)];
  // Block only for new entries; a short block keeps close() prompt.
  if (from === '>') args.push('BLOCK', '1000');
  const reply = (await redis.call('XREADGROUP', ...args, 'STREAMS', stream, from)) as unknown;
  return entriesOf(reply);
}

/** Stream replies come as [[key, entries]] or, from some client versions, [key, entries]: accept both. */
function entriesOf(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair: unknown = typeof reply[0] === 'string' ? reply : reply[0];
  const entries: unknown = Array.isArray(pair) ? pair[1] : undefined;
  if (!Array.isArray(entries)) return [];
  // Deleted entries come back from XAUTOCLAIM/XREADGROUP as [id, null].
  return entries.filter((e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]));
}

async function ensureGroup(redis: Redis, stream: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, WRITER_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

function isMissingGroup(err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOGROUP');
}

function campaignRow(spec: CampaignSpec, endedAt: string | null) {
  const { name, seed, ehloName, contact, createdAt, ...params } = spec;
  return { campaign: name, params, seed, ehlo_name: ehloName, contact, started_at: createdAt, ended_at: endedAt };
}
