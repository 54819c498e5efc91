/**
 * What `stripscan campaign status` shows: progress, rate, ETA, failed chunks,
 * outcomes, workers alive, writer backlog; and for a campaign run from
 * several vantages (--vantages), the same progress per vantage. The campaign
 * is done when every vantage is.
 */
import type { Redis } from 'ioredis';
import { FINGERPRINTS, OUTCOMES } from '../record.js';
import { lanesOf, type CampaignState } from './campaign-spec.js';
import { campaignQueue } from './campaign-control.js';
import { chunkJobsTotal, readCampaign, readFailedChunks, type ChunkFailure } from './campaign-store.js';
import { laneKeys, resultStreamKey } from './keys.js';

export interface VantageStatus {
  vantage: string;
  /** Every chunk of this vantage committed or failed for good. */
  done: boolean;
  addressesDone: number;
  addressesTotal: number;
  responsive: number;
  chunksDone: number;
  chunksTotal: number;
  chunksFailed: number;
  outcomes: Record<string, number>;
  workersAlive: number;
  jobs: { waiting: number; active: number; failed: number };
}

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
  /** True for a campaign created with --vantages: every chunk runs once per vantage, and totals above cover all. */
  perVantage: boolean;
  /** Progress per vantage (one entry, the campaign's label, without --vantages). */
  vantages: VantageStatus[];
}

/** A worker that has not beaten for this long is counted as gone. */
export const WORKER_ALIVE_MS = 10_000;

/** Failed chunks listed by status; the count is always complete. */
export const FAILED_SHOWN = 20;

export async function campaignStatus(redis: Redis, prefix: string, name: string): Promise<CampaignStatus> {
  const record = await readCampaign(redis, prefix, name);
  const { spec } = record;
  const now = Date.now();
  const lanes = lanesOf(spec);
  const pick = (counters: Record<string, number>, p: string, names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, counters[`${p}${n}`] ?? 0]).filter(([, v]) => (v as number) > 0));
  const [writerBacklog, failed, vantages] = await Promise.all([
    redis.xlen(resultStreamKey(prefix)),
    readFailedChunks(redis, prefix, name, FAILED_SHOWN, lanes),
    Promise.all(
      record.lanes.map(async (lane): Promise<VantageStatus> => {
        const queue = campaignQueue(redis, prefix, name, lane.lane);
        try {
          const [workersAlive, counts] = await Promise.all([
            redis.zcount(laneKeys(prefix, name, lane.lane).workers, now - WORKER_ALIVE_MS, '+inf'),
            queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
          ]);
          return {
            vantage: lane.vantage,
            done: lane.doneChunks + lane.failedChunks >= spec.chunksTotal,
            addressesDone: lane.counters.attempted ?? 0,
            addressesTotal: spec.size,
            responsive: lane.counters.responsive ?? 0,
            chunksDone: lane.doneChunks,
            chunksTotal: spec.chunksTotal,
            chunksFailed: lane.failedChunks,
            outcomes: pick(lane.counters, 'o:', OUTCOMES),
            workersAlive,
            jobs: {
              waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
              active: counts.active ?? 0,
              failed: counts.failed ?? 0,
            },
          };
        } finally {
          await queue.close();
        }
      }),
    ),
  ]);
  const total = spec.size * lanes.length;
  const done = record.counters.attempted ?? 0;
  const end = record.endedAt !== null ? Date.parse(record.endedAt) : now;
  const elapsed = record.startedAt !== null ? (end - Date.parse(record.startedAt)) / 1000 : 0;
  const rate = elapsed > 0 ? done / elapsed : 0;
  // Chunks yield slightly fewer addresses than positions; the total is the set's size (per vantage).
  const remaining = Math.max(0, total - done);
  const sum = (f: (v: VantageStatus) => number) => vantages.reduce((n, v) => n + f(v), 0);
  return {
    name,
    state: record.state,
    addressesDone: done,
    addressesTotal: total,
    responsive: record.counters.responsive ?? 0,
    chunksDone: record.doneChunks,
    chunksTotal: chunkJobsTotal(spec),
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
    outcomes: pick(record.counters, 'o:', OUTCOMES),
    fingerprints: pick(record.counters, 'f:', FINGERPRINTS),
    workersAlive: sum((v) => v.workersAlive),
    jobs: {
      waiting: sum((v) => v.jobs.waiting),
      active: sum((v) => v.jobs.active),
      failed: sum((v) => v.jobs.failed),
    },
    writerBacklog,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    perVantage: spec.vantages !== undefined,
    vantages,
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
  if (s.perVantage) {
    lines.push('  vantages (every chunk runs once from each):');
    for (const v of s.vantages) {
      const vpct = v.addressesTotal > 0 ? ((100 * v.addressesDone) / v.addressesTotal).toFixed(1) : '100.0';
      const vfailed = v.chunksFailed > 0 ? `, ${v.chunksFailed} failed` : '';
      lines.push(
        `    ${v.vantage.padEnd(16)} ${v.done ? 'done   ' : 'pending'} addresses ${v.addressesDone} / ${v.addressesTotal} (${vpct} %), chunks ${v.chunksDone} / ${v.chunksTotal}${vfailed}; jobs waiting ${v.jobs.waiting}, active ${v.jobs.active}; workers ${v.workersAlive}`,
      );
    }
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
