/**
 * A ScanRecord as one TabSeparated line for the observations table, columns
 * in RECORD_FIELDS order (column names equal record field names); the
 * database fills asn, country, asn_dataset and inserted_at (column DEFAULTs).
 *
 * Why TSV and not JSONEachRow: a JSON line repeats all 38 field names (about
 * 60 % of a typical row's bytes), costs twice as long to build, and chDB
 * parses TSV fastest of the text formats its raw insert accepts
 * (docs/schema.md, "Ingest").
 */
import { StoreError } from '../errors.js';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  RECORD_FIELDS,
  STRIP_EVIDENCE,
  type ScanRecord,
} from '../record.js';

export const OBSERVATION_COLUMNS: readonly string[] = RECORD_FIELDS;
export const OBSERVATION_FORMAT = 'TabSeparated';

const OUTCOME_SET = new Set<string>(OUTCOMES);
const FINGERPRINT_SET = new Set<string>(FINGERPRINTS);
const STAGE_SET = new Set<string>(ERROR_STAGES);
const CERT_SET = new Set<string>(CERT_STATUSES);
const VALIDITY_SET = new Set<string>(CERT_VALIDITIES);
const EVIDENCE_SET = new Set<string>(STRIP_EVIDENCE);
const NULLABLE_INTEGERS = [
  'banner_code',
  'ehlo_code',
  'starttls_code',
  'cert_key_bits',
  'cert_chain_len',
  'post_tls_ehlo_code',
] as const;

/**
 * One bad value would fail the whole batch insert (Enum columns refuse
 * unknown words, integer columns refuse NaN) and send good records to the
 * spool with it, so the writer refuses the record on its own, up front.
 */
export function checkRecord(r: ScanRecord): void {
  const bad = (field: string, value: unknown): never => {
    throw new StoreError(
      'E_BAD_RECORD',
      `record for ${String(r.ip)}: ${field} ${JSON.stringify(value)} is not allowed`,
    );
  };
  if (!OUTCOME_SET.has(r.outcome)) bad('outcome', r.outcome);
  if (r.error_stage !== null && !STAGE_SET.has(r.error_stage)) bad('error_stage', r.error_stage);
  if (r.cert_status !== null && !CERT_SET.has(r.cert_status)) bad('cert_status', r.cert_status);
  if (r.cert_validity !== null && !VALIDITY_SET.has(r.cert_validity)) bad('cert_validity', r.cert_validity);
  if (r.strip_evidence !== null && !EVIDENCE_SET.has(r.strip_evidence)) bad('strip_evidence', r.strip_evidence);
  for (const f of r.fingerprints) if (!FINGERPRINT_SET.has(f)) bad('fingerprints', f);
  if (typeof r.ip !== 'string' || r.ip === '') bad('ip', r.ip);
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65535) bad('port', r.port);
  if (!Number.isInteger(r.duration_ms) || r.duration_ms < 0) bad('duration_ms', r.duration_ms);
  for (const f of NULLABLE_INTEGERS) {
    const v = r[f];
    if (v !== null && (!Number.isInteger(v) || v < 0)) bad(f, v);
  }
}

// TabSeparated escapes: the structural bytes (tab, newline) and the escape
// character itself, plus CR and NUL for safety; the quote matters inside
// array literals (['a\'b']) and is harmless at the top level.
const NEEDS_ESCAPE = /[\\\t\n\r\0']/;

/** Native replaceAll passes beat one regex with a callback per match (transcripts hold many newlines). */
export function tsvEscape(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\0', '\\0')
    .replaceAll("'", "\\'");
}

function tsvField(v: unknown): string {
  if (v === null) return '\\N';
  if (typeof v === 'string') return tsvEscape(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i === 0 ? '' : ','}'${tsvEscape(String(v[i]))}'`;
    return `${out}]`;
  }
  return String(v);
}

/**
 * Lone surrogates need no handling here: Buffer.from(…, 'utf8') turns them
 * into U+FFFD, the only UTF-8 they can have. Record strings are escaped by
 * the probe and hold none.
 */
export function observationLine(r: ScanRecord): string {
  // join() yields a flat string; `+=` would build a rope per row that the
  // batch join later has to flatten, with far more garbage in between.
  const fields = new Array<string>(RECORD_FIELDS.length);
  for (let i = 0; i < RECORD_FIELDS.length; i++) fields[i] = tsvField(r[RECORD_FIELDS[i] as keyof ScanRecord]);
  return fields.join('\t');
}
