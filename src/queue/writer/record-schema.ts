/**
 * A ScanRecord as it must arrive from the result stream: every field of
 * src/record.ts with its type and vocabulary, and nothing else. A record with
 * a field this writer does not know (from a newer worker) or an outcome it
 * has no column value for is refused here, before any insert, so that it
 * waits in the dead letters for a writer that knows it instead of being
 * stored without the field. Value syntax (an address, a time) is checked by
 * the record writer (src/store/check-record.ts), which refuses the entry.
 *
 * isExactScanRecord() says the same as the schema for every value, by hand:
 * the writer checks every record of every chunk (4,096 a chunk, 42 fields
 * each), and the schema, which copies each record as it checks it, took a
 * third of the writer's main-thread time with the garbage it left. The
 * schema stays the authority for the reason a record is refused
 * (result-entry.ts asks it when this says no); test/queue/writer-parts
 * holds the two to the same answers.
 */
import { z } from 'zod';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  STRIP_EVIDENCE,
  type ScanRecord,
} from '../../record.js';

const text = z.string();
const maybeText = z.string().nullable();
const code = z.number().int().min(0).nullable();
const words = z.array(z.string());

const FIELDS = {
  ip: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  server_name: maybeText,
  ts: text,
  outcome: z.enum(OUTCOMES),
  fingerprints: z.array(z.enum(FINGERPRINTS)),
  strip_evidence: z.enum(STRIP_EVIDENCE).nullable(),
  error_stage: z.enum(ERROR_STAGES).nullable(),
  error: maybeText,
  banner: maybeText,
  banner_code: code,
  ehlo_code: code,
  ehlo_keywords: words,
  helo_fallback: z.boolean(),
  starttls_advertised: z.boolean(),
  starttls_sent: z.boolean(),
  starttls_code: code,
  starttls_reply: maybeText,
  implicit_tls: z.boolean(),
  tls_version: maybeText,
  tls_cipher: maybeText,
  tls_error: maybeText,
  cert_sha256: maybeText,
  cert_status: z.enum(CERT_STATUSES).nullable(),
  cert_validity: z.enum(CERT_VALIDITIES).nullable(),
  cert_subject: maybeText,
  cert_issuer: maybeText,
  cert_sans: words,
  cert_not_before: maybeText,
  cert_not_after: maybeText,
  cert_key_type: maybeText,
  cert_key_bits: code,
  cert_chain_len: code,
  cert_name_matches_banner: z.boolean().nullable(),
  cert_name_matches: z.boolean().nullable(),
  post_tls_ehlo_code: code,
  post_tls_ehlo_keywords: words,
  duration_ms: z.number().int().min(0),
  transcript: text,
  campaign: text,
  job: text,
  vantage: text,
} satisfies Record<keyof ScanRecord, z.ZodType>;

export const ScanRecordSchema: z.ZodType<ScanRecord> = z.strictObject(FIELDS);

const FIELD_COUNT = Object.keys(FIELDS).length;
const OUTCOME_SET = new Set<unknown>(OUTCOMES);
const FINGERPRINT_SET = new Set<unknown>(FINGERPRINTS);
const EVIDENCE_SET = new Set<unknown>(STRIP_EVIDENCE);
const STAGE_SET = new Set<unknown>(ERROR_STAGES);
const CERT_STATUS_SET = new Set<unknown>(CERT_STATUSES);
const VALIDITY_SET = new Set<unknown>(CERT_VALIDITIES);

const isText = (v: unknown): boolean => typeof v === 'string';
const isMaybeText = (v: unknown): boolean => v === null || typeof v === 'string';
const isFlag = (v: unknown): boolean => typeof v === 'boolean';
const isMaybeFlag = (v: unknown): boolean => v === null || typeof v === 'boolean';
/** z.number().int().min(0): zod's int is a safe integer. */
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isCode = (v: unknown): boolean => v === null || isCount(v);
const isMaybeWord = (v: unknown, words: ReadonlySet<unknown>): boolean => v === null || words.has(v);
function isWords(v: unknown, words?: ReadonlySet<unknown>): boolean {
  if (!Array.isArray(v)) return false;
  for (const w of v as unknown[]) if (typeof w !== 'string' || (words !== undefined && !words.has(w))) return false;
  return true;
}

/**
 * True exactly when ScanRecordSchema accepts `value` (and so would return an
 * equal record): every field of FIELDS present with its type, no other key.
 * Each field is read at its own site: a loop over field names costs several
 * times more (as in check-record.ts).
 */
export function isExactScanRecord(value: unknown): value is ScanRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<keyof ScanRecord, unknown>;
  return (
    // Every field below is checked as present (no check passes undefined): the count leaves no room for another key.
    Object.keys(r).length === FIELD_COUNT &&
    typeof r.ip === 'string' &&
    r.ip.length >= 1 &&
    Number.isSafeInteger(r.port) &&
    (r.port as number) >= 0 &&
    (r.port as number) <= 65535 &&
    isMaybeText(r.server_name) &&
    isText(r.ts) &&
    OUTCOME_SET.has(r.outcome) &&
    isWords(r.fingerprints, FINGERPRINT_SET) &&
    isMaybeWord(r.strip_evidence, EVIDENCE_SET) &&
    isMaybeWord(r.error_stage, STAGE_SET) &&
    isMaybeText(r.error) &&
    isMaybeText(r.banner) &&
    isCode(r.banner_code) &&
    isCode(r.ehlo_code) &&
    isWords(r.ehlo_keywords) &&
    isFlag(r.helo_fallback) &&
    isFlag(r.starttls_advertised) &&
    isFlag(r.starttls_sent) &&
    isCode(r.starttls_code) &&
    isMaybeText(r.starttls_reply) &&
    isFlag(r.implicit_tls) &&
    isMaybeText(r.tls_version) &&
    isMaybeText(r.tls_cipher) &&
    isMaybeText(r.tls_error) &&
    isMaybeText(r.cert_sha256) &&
    isMaybeWord(r.cert_status, CERT_STATUS_SET) &&
    isMaybeWord(r.cert_validity, VALIDITY_SET) &&
    isMaybeText(r.cert_subject) &&
    isMaybeText(r.cert_issuer) &&
    isWords(r.cert_sans) &&
    isMaybeText(r.cert_not_before) &&
    isMaybeText(r.cert_not_after) &&
    isMaybeText(r.cert_key_type) &&
    isCode(r.cert_key_bits) &&
    isCode(r.cert_chain_len) &&
    isMaybeFlag(r.cert_name_matches_banner) &&
    isMaybeFlag(r.cert_name_matches) &&
    isCode(r.post_tls_ehlo_code) &&
    isWords(r.post_tls_ehlo_keywords) &&
    isCount(r.duration_ms) &&
    isText(r.transcript) &&
    isText(r.campaign) &&
    isText(r.job) &&
    isText(r.vantage)
  );
}
