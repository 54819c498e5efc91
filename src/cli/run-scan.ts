/** The body of `stripscan scan`: plan, probe through the chunk runner, write, summarise. */
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import type { ScanRecord } from '../record.js';
import type { DriverOptions } from '../probe/driver.js';
import { createProbeTlsContext } from '../probe/tls-context.js';
import { runChunk } from '../scan/chunk-runner.js';
import { openJsonlSink, type JsonlSink } from '../scan/jsonl-sink.js';
import { TokenBucket, UNPACED } from '../scan/pacer.js';
import { addressesOfPlan } from '../targets/index.js';
import type { ScanCommandFlags } from './commands/scan.js';
import { planFromFlags, resolveTargets } from './plan-from-flags.js';
import { startProgress } from './progress.js';
import { probeOptionsFrom } from './scan-options.js';
import { formatSummary } from './summary.js';
import { isResponsive } from '../scan/chunk-stats.js';
import type { CampaignRow, JobStatsRow, RecordWriter } from '../store/index.js';
import { storeOptionsFrom } from '../store/store-flags.js';

interface ScanStore {
  description: string;
  writer: RecordWriter;
  upsertCampaign(row: CampaignRow): Promise<void>;
  recordJobStats(row: JobStatsRow): Promise<void>;
  close(): Promise<void>;
}

/** Open and migrate the store before the first probe, so a broken store scans nothing. */
async function openScanStore(flags: ScanCommandFlags): Promise<ScanStore> {
  const { openStore, createWriter, upsertCampaign, recordJobStats } = await import('../store/index.js');
  const store = await openStore(storeOptionsFrom(flags));
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  const writer = createWriter(store);
  return {
    description: store.description,
    writer,
    upsertCampaign: (row) => upsertCampaign(store, row),
    recordJobStats: (row) => recordJobStats(store, row),
    close: () => store.close(),
  };
}

export function generatedCampaignName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `scan-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function runScan(args: string[], flags: ScanCommandFlags): Promise<void> {
  // Validate everything before the first packet: a bad flag must scan nothing.
  const tlsContext = createProbeTlsContext(flags.caFile === undefined ? {} : { caFile: flags.caFile });
  const { set } = await resolveTargets('scan', args, flags);
  const plan = planFromFlags(set, flags);
  if (flags.campaign !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(flags.campaign)) {
    throw new UsageError(`--campaign ${JSON.stringify(flags.campaign)}: expected letters, digits, '.', '_' or '-'`);
  }
  const campaign = flags.campaign ?? generatedCampaignName();
  const labels = { campaign, job: `${campaign}-local-${plan.shard}`, vantage: flags.vantage ?? hostname() };
  const driver: DriverOptions = {
    ...probeOptionsFrom(flags),
    timeoutMs: flags.timeout,
    connectTimeoutMs: flags.connectTimeout,
    tlsContext,
  };

  const store = flags.store ? await openScanStore(flags) : null;
  const jsonlTarget = flags.jsonl ?? (flags.store ? undefined : '-');
  const jsonl: JsonlSink | null = jsonlTarget === undefined ? null : openJsonlSink(jsonlTarget);
  const total = Math.ceil(set.size / plan.shards);
  const progress = startProgress(
    total,
    flags.progress !== false && process.stderr.isTTY === true && jsonlTarget !== '-',
  );
  const started = Date.now();

  const startedAt = new Date(started).toISOString();
  const campaignRow = {
    campaign,
    params: {
      targets: args,
      targets_file: flags.targetsFile ?? null,
      port: flags.port,
      rate: flags.rate,
      concurrency: flags.concurrency,
      force_starttls: flags.forceStarttls,
      implicit_tls: driver.implicitTls,
      timeout_ms: flags.timeout,
      shards: plan.shards,
      shard: plan.shard,
      mode: 'local',
    },
    seed: plan.seed,
    ehlo_name: driver.ehloName,
    contact: flags.contact ?? '',
    started_at: startedAt,
    ended_at: null,
  };
  if (store !== null) await store.upsertCampaign(campaignRow);

  const onRecord = async (record: ScanRecord): Promise<void> => {
    progress.tick();
    // Internet scans are mostly silence: non-responsive addresses are counted
    // in job_stats, not stored as rows (they still go to --jsonl).
    if (store !== null && isResponsive(record)) {
      const wait = store.writer.write(record);
      if (wait) await wait;
    }
    const pending = jsonl?.write(record);
    if (pending) await pending;
  };

  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const stats = await runChunk({
      addresses: addressesOfPlan(plan),
      port: flags.port,
      concurrency: flags.concurrency,
      driver,
      labels,
      pacer: flags.rate > 0 ? new TokenBucket(flags.rate) : UNPACED,
      onRecord,
      signal: abort.signal,
    });
    progress.stop();
    await jsonl?.close();
    if (store !== null) {
      await store.writer.close();
      const spooled = store.writer.stats.rowsSpooled;
      if (spooled > 0) {
        process.stderr.write(
          `stripscan: warning: ${spooled} rows could not be inserted and wait in the spool; \`stripscan store replay\` (or the next scan) loads them\n`,
        );
      }
      const finishedAt = new Date().toISOString();
      await store.recordJobStats({
        campaign,
        job: labels.job,
        vantage: labels.vantage,
        attempted: stats.attempted,
        responsive: stats.responsive,
        connect_timeouts: stats.connectTimeouts,
        outcome_counts: stats.outcomes,
        started_at: startedAt,
        finished_at: finishedAt,
      });
      await store.upsertCampaign({ ...campaignRow, ended_at: finishedAt });
    }
    process.stderr.write(`campaign ${campaign}\n` + formatSummary(stats, Date.now() - started));
    if (store !== null) process.stderr.write(`stored in ${store.description}\n`);
  } finally {
    await store?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
