/**
 * A local scan from start to summary: open the store, record the campaign,
 * probe the plan through the chunk runner, write every record to its sinks,
 * store the job's statistics and print the summary. `stripscan scan` and
 * `stripscan demo` only turn their flags into LocalScanOptions.
 */
import type { ScanRecord } from '../record.js';
import type { DriverOptions, RecordLabels } from '../probe/driver.js';
import { addressesOfPlan, type ScanPlan, type TargetNames } from '../targets/index.js';
import type { CampaignRow, JobStatsRow, OpenStoreOptions, RecordWriter } from '../store/index.js';
import { runChunk } from './chunk-runner.js';
import { isResponsive, type ChunkStats } from './chunk-stats.js';
import { openJsonlSink, type JsonlSink } from './jsonl-sink.js';
import { TokenBucket, UNPACED } from './pacer.js';
import { formatSummary } from './summary.js';

export interface ScanProgress {
  tick(): void;
  stop(): void;
}

export interface LocalScanOptions {
  plan: ScanPlan;
  /** Names targets carried (`ip,name`), probed as SNI; none when absent. */
  names?: TargetNames;
  /** Addresses in the whole set (all shards): the progress bar's total is this shard's share. */
  setSize: number;
  port: number;
  concurrency: number;
  /** New connections per second; 0 = unpaced. */
  rate: number;
  driver: DriverOptions;
  labels: RecordLabels;
  /** Where records are stored; null = no store. */
  store: OpenStoreOptions | null;
  /** JSON-lines output: a file, `-` for stdout, or undefined for none. */
  jsonl: string | undefined;
  /** Campaign parameters kept in the campaigns table. */
  params: Record<string, unknown>;
  contact: string;
  /** A progress display for `total` addresses; the CLI decides whether one is shown. */
  startProgress(total: number): ScanProgress;
  /** Where warnings and the summary go (stderr in the CLI). */
  log(text: string): void;
}

export interface LocalScanResult {
  stats: ChunkStats;
  elapsedMs: number;
  storeDescription: string | null;
}

interface ScanStore {
  description: string;
  writer: RecordWriter;
  upsertCampaign(row: CampaignRow): Promise<void>;
  recordJobStats(row: JobStatsRow): Promise<void>;
  close(): Promise<void>;
}

/** Open and migrate the store before the first probe, so a broken store scans nothing. */
async function openScanStore(location: OpenStoreOptions): Promise<ScanStore> {
  const { openStore, createWriter, upsertCampaign, recordJobStats } = await import('../store/index.js');
  const store = await openStore(location);
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

export async function runLocalScan(opts: LocalScanOptions): Promise<LocalScanResult> {
  const { plan, labels, driver } = opts;
  const store = opts.store === null ? null : await openScanStore(opts.store);
  // Stops the scan: SIGINT/SIGTERM, or the --jsonl reader quitting. Probes in flight finish and are stored.
  const abort = new AbortController();
  const jsonl: JsonlSink | null =
    opts.jsonl === undefined ? null : openJsonlSink(opts.jsonl, { onReaderGone: () => abort.abort() });
  const progress = opts.startProgress(Math.ceil(opts.setSize / plan.shards));
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const campaignRow: CampaignRow = {
    campaign: labels.campaign,
    params: opts.params,
    seed: plan.seed,
    ehlo_name: driver.ehloName,
    contact: opts.contact,
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

  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const stats = await runChunk({
      addresses: addressesOfPlan(plan),
      names: opts.names,
      port: opts.port,
      concurrency: opts.concurrency,
      driver,
      labels,
      pacer: opts.rate > 0 ? new TokenBucket(opts.rate) : UNPACED,
      onRecord,
      signal: abort.signal,
    });
    progress.stop();
    await jsonl?.close();
    if (store !== null) {
      await store.writer.close();
      const spooled = store.writer.stats.rowsSpooled;
      if (spooled > 0) {
        opts.log(
          `stripscan: warning: ${spooled} rows could not be inserted and wait in the spool; \`stripscan store replay\` (or the next scan) loads them\n`,
        );
      }
      const finishedAt = new Date().toISOString();
      await store.recordJobStats({
        campaign: labels.campaign,
        job: labels.job,
        vantage: labels.vantage,
        attempted: stats.attempted,
        responsive: stats.responsive,
        connect_timeouts: stats.connectTimeouts,
        held_ms: stats.heldMs,
        outcome_counts: stats.outcomes,
        started_at: startedAt,
        finished_at: finishedAt,
      });
      await store.upsertCampaign({ ...campaignRow, ended_at: finishedAt });
    }
    const elapsedMs = Date.now() - started;
    opts.log(`campaign ${labels.campaign}\n` + formatSummary(stats, elapsedMs));
    if (jsonl?.readerGone === true) opts.log(readerGone(store !== null));
    if (store !== null) opts.log(`stored in ${store.description}\n`);
    return { stats, elapsedMs, storeDescription: store?.description ?? null };
  } finally {
    await store?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** Said after the summary when the reader of `--jsonl -` quit: the scan ended early, on purpose, with exit 0. */
function readerGone(stored: boolean): string {
  const where = stored ? 'counted above and stored' : 'counted above';
  return `stopped early: the reader of the JSON lines quit; no address was probed after that, and every address probed is ${where}\n`;
}
