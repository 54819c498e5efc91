/**
 * A local scan from start to summary: open the store, record the campaign,
 * probe the plan through the chunk runner, write every record to its sinks,
 * store the job's statistics and print the summary. `stripscan scan` and
 * `stripscan demo` only turn their flags into LocalScanOptions.
 */
import { StripscanError } from '../errors.js';
import type { ScanRecord } from '../record.js';
import type { DriverOptions, RecordLabels } from '../probe/driver.js';
import { addressesOfPlan, type ScanPlan, type TargetNames } from '../targets/index.js';
import type { CampaignRow, OpenStoreOptions, RecordWriter } from '../store/index.js';
import { runChunk } from './chunk-runner.js';
import { isResponsive, jobStatsRow, type ChunkStats } from './chunk-stats.js';
import { openJsonlSink, type JsonlSink } from './jsonl-sink.js';
import { TokenBucket, UNPACED } from './pacer.js';
import type { PlanRecipe } from './scan-part.js';
import { describeCrash, type PartCrash } from './scan-parts.js';
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
  /**
   * Several scan processes (scan-parts.ts): how many, and what each needs to
   * rebuild the plan and the TLS context. Absent or 1: this process alone.
   */
  parts?: { procs: number; recipe: PlanRecipe; caFile: string | undefined };
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
  /** Rows (per table) that wait in the spool because the store could not take them. */
  spooled: Record<string, number>;
  cancelled: boolean;
  /** Scan processes that ended before their work (the scan then exits 1 after its summary). */
  crashes: PartCrash[];
}

interface ScanStore {
  description: string;
  writer: RecordWriter;
  close(): Promise<void>;
}

/**
 * Open and migrate the store before the first probe, so a broken or
 * unreachable store scans nothing (exit 3 within the service timeout).
 * Past this point the scan does not depend on the store: rows, job_stats and
 * the campaign's row spool while it is away.
 */
async function openScanStore(location: OpenStoreOptions): Promise<ScanStore> {
  const { openMigratedStore, createWriter } = await import('../store/index.js');
  const store = await openMigratedStore(location);
  return { description: store.description, writer: createWriter(store), close: () => store.close() };
}

export async function runLocalScan(opts: LocalScanOptions): Promise<LocalScanResult> {
  const { plan, labels, driver } = opts;
  const store = opts.store === null ? null : await openScanStore(opts.store);
  // Stops the scan: SIGINT/SIGTERM, or the --jsonl reader quitting. Probes in flight finish and are stored.
  const abort = new AbortController();
  const jsonl: JsonlSink | null =
    opts.jsonl === undefined ? null : openJsonlSink(opts.jsonl, { onReaderGone: () => abort.abort() });
  const total = Math.ceil(opts.setSize / plan.shards);
  const progress = opts.startProgress(total);
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
    state: 'running',
    addresses_total: total,
    // A local scan is one chunk: the whole shard.
    chunks_total: 1,
    chunks_done: 0,
    chunks_failed: 0,
    attempted: 0,
    responsive: 0,
    counters: {},
  };

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
    if (store !== null) await store.writer.writeCampaigns([campaignRow]);
    const { stats, crashes } = await probePlan(opts, onRecord, abort.signal);
    progress.stop();
    await jsonl?.close();
    const cancelled = abort.signal.aborted;
    const elapsedMs = Date.now() - started;
    // The store's end of the scan; a failure here (nothing stored, nothing
    // spooled) is reported after the summary, which the scan owes its user anyway.
    let storeFailure: unknown;
    if (store !== null) {
      const finishedAt = new Date().toISOString();
      try {
        await store.writer.writeJobStats(jobStatsRow(labels, stats, startedAt, finishedAt));
        await store.writer.writeCampaigns([
          {
            ...campaignRow,
            ended_at: finishedAt,
            state: cancelled ? 'cancelled' : crashes.length > 0 ? 'incomplete' : 'done',
            chunks_done: cancelled ? 0 : 1,
            attempted: stats.attempted,
            responsive: stats.responsive,
          },
        ]);
        await store.writer.close();
      } catch (err) {
        storeFailure = err;
      }
    }
    opts.log(`campaign ${labels.campaign}${cancelled ? ' (cancelled)' : ''}\n` + formatSummary(stats, elapsedMs));
    if (jsonl?.readerGone === true) opts.log(readerGone(store !== null));
    const spooled = store?.writer.stats.spooledByTable ?? {};
    if (store !== null) opts.log(storeLine(store, spooled));
    if (storeFailure !== undefined) throw storeFailure;
    if (crashes.length > 0) {
      const procs = opts.parts?.procs ?? 1;
      throw new StripscanError('E_SCAN_PROCESS', crashes.map((c) => describeCrash(c, procs)).join('\n'));
    }
    return { stats, elapsedMs, storeDescription: store?.description ?? null, spooled, cancelled, crashes };
  } finally {
    await store?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The plan's probes, from this process or from several (the same chunk runner either way). */
async function probePlan(
  opts: LocalScanOptions,
  onRecord: (record: ScanRecord) => Promise<void>,
  signal: AbortSignal,
): Promise<{ stats: ChunkStats; crashes: PartCrash[] }> {
  const parts = opts.parts;
  if (parts !== undefined && parts.procs > 1) {
    const { runScanParts } = await import('./scan-parts.js');
    opts.log(`scanning with ${parts.procs} processes\n`);
    const { tlsContext: _context, stalls: _stalls, sourceAddresses, ...driver } = opts.driver;
    return runScanParts({
      procs: parts.procs,
      plan: opts.plan,
      settings: {
        recipe: parts.recipe,
        port: opts.port,
        driver,
        caFile: parts.caFile,
        sourceAddresses: sourceAddresses === undefined ? undefined : [...sourceAddresses.addresses],
        labels: opts.labels,
      },
      concurrency: opts.concurrency,
      rate: opts.rate,
      signal,
      onRecord,
    });
  }
  const stats = await runChunk({
    addresses: addressesOfPlan(opts.plan),
    names: opts.names,
    port: opts.port,
    concurrency: opts.concurrency,
    driver: opts.driver,
    labels: opts.labels,
    pacer: opts.rate > 0 ? new TokenBucket(opts.rate) : UNPACED,
    onRecord,
    signal,
  });
  return { stats, crashes: [] };
}

/** Where the results went: the store, or, for what it could not take, the spool (one line). */
function storeLine(store: ScanStore, spooled: Record<string, number>): string {
  const waiting = Object.entries(spooled).filter(([, n]) => n > 0);
  if (waiting.length === 0) return `stored in ${store.description}\n`;
  const what = waiting.map(([table, n]) => `${n} ${table} row${n === 1 ? '' : 's'}`).join(', ');
  const why = store.writer.firstOutage?.message ?? 'the store refused them';
  return `stripscan: warning: ${what} wait in ${store.writer.spoolDir} (${why}); load them with \`stripscan store replay\` once the store is back (the next scan also does)\n`;
}

/** Said after the summary when the reader of `--jsonl -` quit: the scan ended early, on purpose, with exit 0. */
function readerGone(stored: boolean): string {
  const where = stored ? 'counted above and stored' : 'counted above';
  return `stopped early: the reader of the JSON lines quit; no address was probed after that, and every address probed is ${where}\n`;
}
