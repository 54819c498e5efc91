/**
 * The result stream's entries, checked: the boundary where what workers and
 * campaign commands wrote is read by the writer. Three kinds:
 *
 * - `chunk`: one committed chunk, its records and its job statistics;
 * - `campaign`: a campaign was created (its spec);
 * - `campaign-end`: a campaign ended (done, cancelled, or a state a newer
 *   queue knows); the writer then mirrors the campaign's record from Redis,
 *   which holds the truth, so the entry itself only has to name it.
 *
 * A chunk entry must be exactly what this writer can store: a field, kind or
 * record it does not know is a reason to set the entry aside (dead letters),
 * never to store part of it.
 */
import { z } from 'zod';
import { CAMPAIGN_NAME, CampaignSpec } from '../campaign-spec.js';
import { isExactScanRecord, ScanRecordSchema } from './record-schema.js';

/** JSON text holding a value of `schema`. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((raw, ctx): unknown => {
      try {
        return JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const count = z.number().int().min(0);

export const JobStatsSchema = z.strictObject({
  campaign: z.string(),
  job: z.string(),
  vantage: z.string(),
  attempted: count,
  responsive: count,
  connect_timeouts: count,
  /** The overload guard's hold time (job_stats.held_ms); workers older than the guard send none. */
  held_ms: count.default(0),
  outcome_counts: z.record(z.string(), count),
  started_at: z.string(),
  finished_at: z.string(),
});

const campaignName = z.string().regex(CAMPAIGN_NAME);

const CHUNK_FIELDS = {
  kind: z.literal('chunk'),
  campaign: campaignName,
  job: z.string().min(1),
  stats: json(JobStatsSchema),
};

const ChunkEntry = z.strictObject({ ...CHUNK_FIELDS, records: json(z.array(ScanRecordSchema)) });

/** A chunk entry with its records still text: they are checked by isExactScanRecord (fastChunkEntry). */
const ChunkShell = z.strictObject({ ...CHUNK_FIELDS, records: z.string() });

const CampaignEntry = z.object({
  kind: z.literal('campaign'),
  campaign: campaignName,
  spec: json(CampaignSpec),
});

const CampaignEndEntry = z.object({
  kind: z.literal('campaign-end'),
  campaign: campaignName,
  endedAt: z.string().optional(),
});

export const ResultEntry = z.discriminatedUnion('kind', [ChunkEntry, CampaignEntry, CampaignEndEntry]);
export type ResultEntry = z.infer<typeof ResultEntry>;

export type ParsedEntry = { ok: true; entry: ResultEntry } | { ok: false; reason: string };

const REASON_CHARS = 300;

/**
 * A chunk entry that the full schema would accept, checked the fast way
 * (record-schema.ts): the same answer, without the schema's copy of every
 * record. Null for anything else, which the full schema then reads, to say why.
 */
function fastChunkEntry(fields: ReadonlyMap<string, string>): ResultEntry | null {
  if (fields.get('kind') !== 'chunk') return null;
  const shell = ChunkShell.safeParse(Object.fromEntries(fields));
  if (!shell.success) return null;
  let records: unknown;
  try {
    records = JSON.parse(shell.data.records);
  } catch {
    return null;
  }
  if (!Array.isArray(records) || !records.every(isExactScanRecord)) return null;
  return { ...shell.data, records };
}

/** A stream entry's field/value list → a checked entry, or the first reason it is not one. */
export function parseResultEntry(fields: ReadonlyMap<string, string>): ParsedEntry {
  const fast = fastChunkEntry(fields);
  if (fast !== null) return { ok: true, entry: fast };
  const parsed = ResultEntry.safeParse(Object.fromEntries(fields));
  if (parsed.success) return { ok: true, entry: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const reason = `invalid entry: ${where}${issue?.message ?? 'unreadable'}`;
  return { ok: false, reason: reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason };
}
