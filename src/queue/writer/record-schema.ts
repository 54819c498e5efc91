/**
 * A ScanRecord as it must arrive from the result stream: every field of
 * src/record.ts with its type and vocabulary, and nothing else. A record with
 * a field this writer does not know (from a newer worker) or an outcome it
 * has no column value for is refused here, before any insert, so that it
 * waits in the dead letters for a writer that knows it instead of being
 * stored without the field. Value syntax (an address, a time) is checked by
 * the record writer (src/store/check-record.ts), which refuses the entry.
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
