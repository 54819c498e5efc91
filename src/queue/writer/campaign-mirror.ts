/**
 * Mirrors distributed campaigns' records from Redis (which holds the truth
 * while a campaign runs) into the store's campaigns table, so that a report
 * can say how far a campaign got. The writer calls mirrorAll() on a timer and
 * mirror() when a campaign is created or ends.
 *
 * Nothing here knows the list of states or counters: the state is copied as
 * the campaign hash holds it, and every number of the campaign's record goes
 * into the `counters` map under its own name. A new state or a new counter
 * (failedChunks, say) reaches the store without a change here; only the
 * dedicated columns name the counters they show.
 */
import type { Redis } from 'ioredis';
import { StripscanError } from '../../errors.js';
import type { CampaignRow, RecordWriter } from '../../store/index.js';
import type { CampaignSpec } from '../campaign-spec.js';
import { listCampaigns, readCampaign, type CampaignRecord } from '../campaign-store.js';
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
    addresses_total: spec.size,
    chunks_total: spec.chunksTotal,
    chunks_done: n.doneChunks ?? 0,
    chunks_failed: n.failedChunks ?? 0,
    attempted: n.attempted ?? 0,
    responsive: n.responsive ?? 0,
    counters: n,
  };
}

/** Every whole, non-negative number of the record (its fields and its counters), by name. */
function numbersOf(record: CampaignRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of [...Object.entries(record), ...Object.entries(record.counters)]) {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) out[key] = value;
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

  async mirrorAll(): Promise<void> {
    for (const name of await listCampaigns(this.redis, this.prefix)) await this.mirror(name);
  }

  /** `spec` stands in for a campaign whose record is gone from Redis (a created-entry replayed late). */
  async mirror(name: string, spec?: CampaignSpec): Promise<void> {
    const row = await this.rowFor(name, spec);
    if (row === null) return;
    const key = JSON.stringify(row);
    if (this.written.get(name) === key) return;
    await this.writer.writeCampaign(row);
    this.written.set(name, key);
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
    // The state as stored: readCampaign maps a state it does not know to 'created'.
    const state = (await this.redis.hget(campaignKeys(this.prefix, name).campaign, 'state')) ?? record.state;
    return campaignRow(record.spec, {
      state,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      numbers: numbersOf(record),
    });
  }
}
