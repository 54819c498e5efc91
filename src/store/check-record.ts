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
import { recordTimeMs } from './observation-block.js';

const OUTCOME_SET = new Set<string>(OUTCOMES);
const FINGERPRINT_SET = new Set<string>(FINGERPRINTS);
const STAGE_SET = new Set<string>(ERROR_STAGES);
const CERT_SET = new Set<string>(CERT_STATUSES);
const VALIDITY_SET = new Set<string>(CERT_VALIDITIES);
const EVIDENCE_SET = new Set<string>(STRIP_EVIDENCE);

const UINT16 = 0xffff;
const UINT32 = 0xffff_ffff;
/** Nullable integer columns and their type's largest value. */
const NULLABLE_INTEGERS = [
  ['banner_code', UINT16],
  ['ehlo_code', UINT16],
  ['starttls_code', UINT16],
  ['cert_key_bits', UINT32],
  ['cert_chain_len', UINT16],
  ['post_tls_ehlo_code', UINT16],
] as const;
const TEXTS = ['ts', 'transcript', 'campaign', 'job', 'vantage'] as const;
const NULLABLE_TEXTS = [
  'server_name',
  'error',
  'banner',
  'starttls_reply',
  'tls_version',
  'tls_cipher',
  'tls_error',
  'cert_sha256',
  'cert_subject',
  'cert_issuer',
  'cert_not_before',
  'cert_not_after',
  'cert_key_type',
] as const;
const TEXT_LISTS = ['ehlo_keywords', 'cert_sans', 'post_tls_ehlo_keywords'] as const;
const FLAGS = ['helo_fallback', 'starttls_advertised', 'starttls_sent', 'implicit_tls'] as const;
const NULLABLE_FLAGS = ['cert_name_matches_banner', 'cert_name_matches'] as const;

/** DateTime64's range: 1900-01-01 to 2299-12-31 (UTC). */
const EARLIEST_MS = Date.UTC(1900, 0, 1);
const LATEST_MS = Date.UTC(2300, 0, 1) - 1;

const isUint = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

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
  if (!Array.isArray(r.fingerprints)) bad('fingerprints', r.fingerprints);
  for (const f of r.fingerprints) if (!FINGERPRINT_SET.has(f)) bad('fingerprints', f);
  for (const f of TEXTS) if (typeof r[f] !== 'string') bad(f, r[f]);
  for (const f of NULLABLE_TEXTS) if (r[f] !== null && typeof r[f] !== 'string') bad(f, r[f]);
  for (const f of TEXT_LISTS) {
    const list: unknown = r[f];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) bad(f, list);
  }
  for (const f of FLAGS) if (typeof r[f] !== 'boolean') bad(f, r[f]);
  for (const f of NULLABLE_FLAGS) if (r[f] !== null && typeof r[f] !== 'boolean') bad(f, r[f]);
  if (typeof r.ip !== 'string' || (parseIpv4(r.ip) === null && parseIpv6(r.ip) === null)) bad('ip', r.ip);
  const ms = recordTimeMs(r.ts);
  if (!(ms >= EARLIEST_MS && ms <= LATEST_MS)) bad('ts', r.ts);
  if (!isUint(r.port, UINT16)) bad('port', r.port);
  if (!isUint(r.duration_ms, UINT32)) bad('duration_ms', r.duration_ms);
  for (const [f, max] of NULLABLE_INTEGERS) {
    const v = r[f];
    if (v !== null && !isUint(v, max)) bad(f, v);
  }
}
