/**
 * Mirrors distributed campaigns' records from Redis (which holds the truth
 * while a campaign runs) into the store's campaigns table, so that a report
 * can say how far a campaign got. The writer calls mirrorAll() on a timer and
 * mirror() when a campaign is created or ends.
 *
 * Nothing here knows the list of states or counters: the state is copied as
 * the campaign hash holds it, and every number of the campaign's hash and of
 * its record (readCampaign) goes into the `counters` map under its own name.
 * A new state or a new counter reaches the store without a change here; only
 * the dedicated columns name the counters they show (chunks_failed reads
 * `failedChunks`, the record's count of chunks that failed for good).
 */
import type { Redis } from 'ioredis';
import { StripscanError } from '../../errors.js';
import type { CampaignRow, RecordWriter } from '../../store/index.js';
import type { CampaignSpec } from '../campaign-spec.js';
import { lanesOf } from '../campaign-spec.js';
import { chunkJobsTotal, listCampaigns, readCampaign, type CampaignRecord } from '../campaign-store.js';
import { campaignKeys } from '../keys.js';

export function campaignRow(
  spec: CampaignSpec,
  progress: { state: string; startedAt: string | null; endedAt: string | null; numbers: Record<string, number> },
): CampaignRow {
  const { name, seed, ehloName, contact, createdAt, ...params } = spec;
  const n = progress.numbers;
  return {
    campaign: name,
    params,
    seed,
    ehlo_name: ehloName,
    contact,
    started_at: progress.startedAt ?? createdAt,
    ended_at: progress.endedAt,
    state: progress.state,
    // A multi-vantage campaign probes every address once per vantage: totals count probes and chunk jobs.
    addresses_total: spec.size * lanesOf(spec).length,
    chunks_total: chunkJobsTotal(spec),
    chunks_done: n.doneChunks ?? 0,
    chunks_failed: n.failedChunks ?? 0,
    attempted: n.attempted ?? 0,
    responsive: n.responsive ?? 0,
    counters: n,
  };
}

/** Whole, non-negative numbers by name: of the campaign hash as stored, and of the record read from it. */
function numbersOf(hash: Record<string, string>, record: CampaignRecord): Record<string, number> {
  const out: Record<string, number> = {};
  const keep = (key: string, value: unknown): void => {
    const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) out[key] = n;
  };
  for (const [key, value] of Object.entries(hash)) keep(key, value);
  // The record adds what the hash does not hold itself (a count kept in a key of its own, say).
  for (const [key, value] of [...Object.entries(record), ...Object.entries(record.counters)]) keep(key, value);
  // Each vantage's progress of a multi-vantage campaign, under `vantage:<label>:<name>`.
  for (const lane of record.lanes) {
    if (lane.lane === null) continue;
    const { doneChunks, failedChunks, nextChunk } = lane;
    for (const [key, value] of Object.entries({ doneChunks, failedChunks, nextChunk, ...lane.counters }))
      keep(`vantage:${lane.vantage}:${key}`, value);
  }
  return out;
}

export class CampaignMirror {
  /** What was last written per campaign: an unchanged campaign is not written again. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly writer: RecordWriter,
  ) {}

  /** Every campaign of this deployment that changed since it was last written, in one insert. */
  async mirrorAll(): Promise<void> {
    const changed: CampaignRow[] = [];
    for (const name of await listCampaigns(this.redis, this.prefix)) {
      const row = await this.rowFor(name, undefined);
      if (row !== null && this.written.get(name) !== JSON.stringify(row)) changed.push(row);
    }
    await this.write(changed);
  }

  /** `spec` stands in for a campaign whose record is gone from Redis (a created-entry replayed late). */
  async mirror(name: string, spec?: CampaignSpec): Promise<void> {
    const row = await this.rowFor(name, spec);
    if (row !== null && this.written.get(name) !== JSON.stringify(row)) await this.write([row]);
  }

  private async write(rows: CampaignRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.writer.writeCampaigns(rows);
    for (const row of rows) this.written.set(row.campaign, JSON.stringify(row));
  }

  private async rowFor(name: string, spec: CampaignSpec | undefined): Promise<CampaignRow | null> {
    let record: CampaignRecord;
    try {
      record = await readCampaign(this.redis, this.prefix, name);
    } catch (err) {
      // No record (or an unreadable one) in Redis: only a spec from the stream says anything.
      if (!(err instanceof StripscanError)) throw err;
      return spec === undefined
        ? null
        : campaignRow(spec, { state: 'created', startedAt: null, endedAt: null, numbers: {} });
    }
    // The hash as stored: readCampaign maps a state it does not know to 'created', and keeps only the counters it knows.
    const hash = await this.redis.hgetall(campaignKeys(this.prefix, name).campaign);
    return campaignRow(record.spec, {
      state: hash.state ?? record.state,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      numbers: numbersOf(hash, record),
    });
  }
}
