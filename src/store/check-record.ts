/**
 * The writer's gate: a record is refused on its own, up front, unless every
 * value fits its column. One bad value would otherwise fail the whole batch
 * (or its Native block, observation-block.ts) and send good records to the
 * spool with it. The block carries addresses and times as bytes, not text,
 * so their syntax is checked here rather than by the table.
 */
import { StoreError } from '../errors.js';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  STRIP_EVIDENCE,
  type ScanRecord,
} from '../record.js';
import { parseIpv4 } from '../targets/ipv4.js';
import { parseIpv6 } from '../targets/ipv6.js';
import { recordTimeMs } from './record-time.js';

const OUTCOME_SET = new Set<string>(OUTCOMES);
const FINGERPRINT_SET = new Set<string>(FINGERPRINTS);
const STAGE_SET = new Set<string>(ERROR_STAGES);
const CERT_SET = new Set<string>(CERT_STATUSES);
const VALIDITY_SET = new Set<string>(CERT_VALIDITIES);
const EVIDENCE_SET = new Set<string>(STRIP_EVIDENCE);

const UINT16 = 0xffff;
const UINT32 = 0xffff_ffff;
/** DateTime64's range: 1900-01-01 to 2299-12-31 (UTC). */
const EARLIEST_MS = Date.UTC(1900, 0, 1);
const LATEST_MS = Date.UTC(2300, 0, 1) - 1;

function refuse(r: ScanRecord, field: string, value: unknown): never {
  throw new StoreError('E_BAD_RECORD', `record for ${String(r.ip)}: ${field} ${JSON.stringify(value)} is not allowed`);
}

// One helper per column kind, called with the value read at its own site
// (r.banner, r.tls_version, …): the writer checks every record, and reads by
// field name in a loop cost several times more (profiled).
function word(r: ScanRecord, field: string, v: unknown, words: ReadonlySet<string>): void {
  if (!words.has(v as string)) refuse(r, field, v);
}
function maybeWord(r: ScanRecord, field: string, v: unknown, words: ReadonlySet<string>): void {
  if (v !== null && !words.has(v as string)) refuse(r, field, v);
}
function text(r: ScanRecord, field: string, v: unknown): void {
  if (typeof v !== 'string') refuse(r, field, v);
}
function maybeText(r: ScanRecord, field: string, v: unknown): void {
  if (v !== null && typeof v !== 'string') refuse(r, field, v);
}
function texts(r: ScanRecord, field: string, v: unknown, words?: ReadonlySet<string>): void {
  if (!Array.isArray(v)) refuse(r, field, v);
  for (const s of v as unknown[]) {
    if (typeof s !== 'string' || (words !== undefined && !words.has(s))) refuse(r, field, s);
  }
}
function flag(r: ScanRecord, field: string, v: unknown): void {
  if (typeof v !== 'boolean') refuse(r, field, v);
}
function maybeFlag(r: ScanRecord, field: string, v: unknown): void {
  if (v !== null && typeof v !== 'boolean') refuse(r, field, v);
}
function uint(r: ScanRecord, field: string, v: unknown, max: number): void {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) refuse(r, field, v);
}
function maybeUint(r: ScanRecord, field: string, v: unknown, max: number): void {
  if (v !== null) uint(r, field, v, max);
}

export function checkRecord(r: ScanRecord): void {
  if (typeof r.ip !== 'string' || (parseIpv4(r.ip) === null && parseIpv6(r.ip) === null)) refuse(r, 'ip', r.ip);
  uint(r, 'port', r.port, UINT16);
  maybeText(r, 'server_name', r.server_name);
  text(r, 'ts', r.ts);
  const ms = recordTimeMs(r.ts);
  if (!(ms >= EARLIEST_MS && ms <= LATEST_MS)) refuse(r, 'ts', r.ts);
  word(r, 'outcome', r.outcome, OUTCOME_SET);
  texts(r, 'fingerprints', r.fingerprints, FINGERPRINT_SET);
  maybeWord(r, 'strip_evidence', r.strip_evidence, EVIDENCE_SET);
  maybeWord(r, 'error_stage', r.error_stage, STAGE_SET);
  maybeText(r, 'error', r.error);
  maybeText(r, 'banner', r.banner);
  maybeUint(r, 'banner_code', r.banner_code, UINT16);
  maybeUint(r, 'ehlo_code', r.ehlo_code, UINT16);
  texts(r, 'ehlo_keywords', r.ehlo_keywords);
  flag(r, 'helo_fallback', r.helo_fallback);
  flag(r, 'starttls_advertised', r.starttls_advertised);
  flag(r, 'starttls_sent', r.starttls_sent);
  maybeUint(r, 'starttls_code', r.starttls_code, UINT16);
  maybeText(r, 'starttls_reply', r.starttls_reply);
  flag(r, 'implicit_tls', r.implicit_tls);
  maybeText(r, 'tls_version', r.tls_version);
  maybeText(r, 'tls_cipher', r.tls_cipher);
  maybeText(r, 'tls_error', r.tls_error);
  maybeText(r, 'cert_sha256', r.cert_sha256);
  maybeWord(r, 'cert_status', r.cert_status, CERT_SET);
  maybeWord(r, 'cert_validity', r.cert_validity, VALIDITY_SET);
  maybeText(r, 'cert_subject', r.cert_subject);
  maybeText(r, 'cert_issuer', r.cert_issuer);
  texts(r, 'cert_sans', r.cert_sans);
  maybeText(r, 'cert_not_before', r.cert_not_before);
  maybeText(r, 'cert_not_after', r.cert_not_after);
  maybeText(r, 'cert_key_type', r.cert_key_type);
  maybeUint(r, 'cert_key_bits', r.cert_key_bits, UINT32);
  maybeUint(r, 'cert_chain_len', r.cert_chain_len, UINT16);
  maybeFlag(r, 'cert_name_matches_banner', r.cert_name_matches_banner);
  maybeFlag(r, 'cert_name_matches', r.cert_name_matches);
  maybeUint(r, 'post_tls_ehlo_code', r.post_tls_ehlo_code, UINT16);
  texts(r, 'post_tls_ehlo_keywords', r.post_tls_ehlo_keywords);
  uint(r, 'duration_ms', r.duration_ms, UINT32);
  text(r, 'transcript', r.transcript);
  text(r, 'campaign', r.campaign);
  text(r, 'job', r.job);
  text(r, 'vantage', r.vantage);
}
