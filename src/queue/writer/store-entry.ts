/**
 * A checked result entry into the store: one handler per kind, the table
 * below typed so that a new kind of entry does not compile until it has one.
 * A chunk's records carry the dedup token `campaign/job/stream`, the same for
 * every delivery of the entry, so a chunk inserted twice (a writer killed
 * before its acknowledgement, a spooled copy replayed) is stored once.
 * Refusals are thrown back (the entry is still in Redis); outages spool.
 */
import type { RecordWriter } from '../../store/index.js';
import type { CampaignMirror } from './campaign-mirror.js';
import type { ResultEntry } from './result-entry.js';

export interface EntryStores {
  writer: RecordWriter;
  mirror: CampaignMirror;
}

type Handlers = {
  [K in ResultEntry['kind']]: (entry: Extract<ResultEntry, { kind: K }>, to: EntryStores) => Promise<number>;
};

/** Each handler returns the observation rows it stored. */
const HANDLERS: Handlers = {
  async chunk(entry, { writer }) {
    await writer.writeBatch(entry.records, `${entry.campaign}/${entry.job}/stream`, { ifRefused: 'throw' });
    await writer.writeJobStats(entry.stats, { ifRefused: 'throw' });
    return entry.records.length;
  },
  async campaign(entry, { mirror }) {
    await mirror.mirror(entry.campaign, entry.spec);
    return 0;
  },
  async 'campaign-end'(entry, { mirror }) {
    await mirror.mirror(entry.campaign);
    return 0;
  },
};

export function storeEntry(entry: ResultEntry, to: EntryStores): Promise<number> {
  const handler = HANDLERS[entry.kind] as (e: ResultEntry, t: EntryStores) => Promise<number>;
  return handler(entry, to);
}
