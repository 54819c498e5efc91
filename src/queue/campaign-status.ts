/** What `stripscan campaign status` shows: progress, rate, ETA, failed chunks, outcomes, workers alive, writer backlog. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FINGERPRINTS, OUTCOMES } from '../record.js';
import type { CampaignState } from './campaign-spec.js';
import { readCampaign, readFailedChunks, type ChunkFailure } from './campaign-store.js';
import { campaignKeys, resultStreamKey } from './keys.js';

export interface CampaignStatus {
  name: string;
  state: CampaignState;
  addressesDone: number;
  addressesTotal: number;
  responsive: number;
  chunksDone: number;
  chunksTotal: number;
  /** Chunks that failed for good (`campaign retry` runs them again). */
  chunksFailed: number;
  /** The first FAILED_SHOWN of them, in chunk order, with their last error. */
  failedChunks: (ChunkFailure & { index: number })[];
  /** Addresses per second since start (average). */
  rate: number;
  /** Only while running: a paused, cancelled or ended campaign has no ETA. */
  etaSeconds: number | null;
  outcomes: Record<string, number>;
  fingerprints: Record<string, number>;
  workersAlive: number;
  jobs: { waiting: number; active: number; failed: number };
  /** Result stream entries (chunks) waiting for a writer, over all campaigns of this prefix. */
  writerBacklog: number;
  startedAt: string | null;
  endedAt: string | null;
}

/** A worker that has not beaten for this long is counted as gone. */
export const WORKER_ALIVE_MS = 10_000;

/** Failed chunks listed by status; the count is always complete. */
export const FAILED_SHOWN = 20;

export async function campaignStatus(
  redis: Redis,
  queue: Queue,
  prefix: string,
  name: string,
): Promise<CampaignStatus> {
  const record = await readCampaign(redis, prefix, name);
  const keys = campaignKeys(prefix, name);
  const now = Date.now();
  const [workersAlive, writerBacklog, counts, failed] = await Promise.all([
    redis.zcount(keys.workers, now - WORKER_ALIVE_MS, '+inf'),
    redis.xlen(resultStreamKey(prefix)),
    queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
    readFailedChunks(redis, prefix, name, FAILED_SHOWN),
  ]);
  const done = record.counters.attempted ?? 0;
  const end = record.endedAt !== null ? Date.parse(record.endedAt) : now;
  const elapsed = record.startedAt !== null ? (end - Date.parse(record.startedAt)) / 1000 : 0;
  const rate = elapsed > 0 ? done / elapsed : 0;
  // Chunks yield slightly fewer addresses than positions; the total is the set's size.
  const remaining = Math.max(0, record.spec.size - done);
  const pick = (p: string, names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, record.counters[`${p}${n}`] ?? 0]).filter(([, v]) => (v as number) > 0));
  return {
    name,
    state: record.state,
    addressesDone: done,
    addressesTotal: record.spec.size,
    responsive: record.counters.responsive ?? 0,
    chunksDone: record.doneChunks,
    chunksTotal: record.spec.chunksTotal,
    chunksFailed: record.failedChunks,
    failedChunks: failed.map(({ index, job, error, attempts, failedAt }) => ({
      index,
      job,
      error,
      attempts,
      failedAt,
    })),
    rate,
    etaSeconds: record.state === 'running' && rate > 0 ? remaining / rate : null,
    outcomes: pick('o:', OUTCOMES),
    fingerprints: pick('f:', FINGERPRINTS),
    workersAlive,
    jobs: {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      active: counts.active ?? 0,
      failed: counts.failed ?? 0,
    },
    writerBacklog,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
  };
}

export function formatStatus(s: CampaignStatus): string {
  const pct = s.addressesTotal > 0 ? ((100 * s.addressesDone) / s.addressesTotal).toFixed(1) : '100.0';
  const eta = s.state !== 'running' ? '' : `; ETA ${s.etaSeconds === null ? 'unknown' : formatDuration(s.etaSeconds)}`;
  const failedNote = s.chunksFailed > 0 ? `, ${s.chunksFailed} failed` : '';
  const lines = [
    `campaign ${s.name}: ${s.state}`,
    `  addresses  ${s.addressesDone} / ${s.addressesTotal} (${pct} %), ${s.responsive} responsive`,
    `  chunks     ${s.chunksDone} / ${s.chunksTotal} done${failedNote}; jobs waiting ${s.jobs.waiting}, active ${s.jobs.active}`,
    `  rate       ${s.rate.toFixed(1)} addresses/s${eta}`,
    `  workers    ${s.workersAlive} alive`,
    `  writer     ${s.writerBacklog} chunk(s) waiting to be stored`,
  ];
  if (s.chunksFailed > 0) {
    lines.push(`  failed chunks (\`stripscan campaign retry ${s.name}\` runs them again):`);
    for (const f of s.failedChunks)
      lines.push(`    ${f.job} after ${f.attempts} attempt(s): ${f.error.replace(/\s+/g, ' ')}`);
    if (s.chunksFailed > s.failedChunks.length) lines.push(`    … and ${s.chunksFailed - s.failedChunks.length} more`);
  }
  const outcomes = Object.entries(s.outcomes);
  lines.push(outcomes.length > 0 ? '  outcomes:' : '  outcomes: none yet');
  for (const [o, n] of outcomes) lines.push(`    ${o.padEnd(18)} ${String(n).padStart(10)}`);
  const fps = Object.entries(s.fingerprints);
  if (fps.length > 0) lines.push('  fingerprints:');
  for (const [f, n] of fps) lines.push(`    ${f.padEnd(18)} ${String(n).padStart(10)}`);
  return lines.join('\n') + '\n';
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
