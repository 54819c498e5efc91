/**
 * The scan record: one probe observation, flat and snake_case.
 *
 * This is the single record type shared by the probe, the JSON-lines output,
 * the Redis result stream and the ClickHouse `observations` table. Field
 * names here are wire names: changing one is a schema migration.
 */

/** Exactly one outcome per probe. Wire values are locked by test/record.test.ts. */
export const OUTCOMES = [
  'connect-refused',
  'connect-timeout',
  'connect-error',
  'no-banner',
  'not-smtp',
  'smtp-rejected',
  'ehlo-failed',
  'no-starttls',
  'starttls-stripped',
  'starttls-refused',
  'tls-failed',
  'tls-ok',
  // A deadline passed after the banner arrived, before the exchange told anything more: our
  // time ran out, the server did not answer. Never counted as a refusal or a failure.
  'timeout',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes of hosts that spoke SMTP: the denominator of shares such as stripping prevalence. */
export const SMTP_OUTCOMES = [
  'smtp-rejected',
  'ehlo-failed',
  'no-starttls',
  'starttls-stripped',
  'starttls-refused',
  'tls-failed',
  'tls-ok',
  // Always after a banner: a timeout before it is `no-banner`.
  'timeout',
] as const satisfies readonly Outcome[];

/** Evidence seen during a probe, whatever the outcome. */
export const FINGERPRINTS = [
  'masked-ehlo-keyword',
  'masked-banner',
  'corrupted-command-echo',
  'hidden-starttls',
] as const;
export type Fingerprint = (typeof FINGERPRINTS)[number];

/**
 * How strong the evidence behind a `starttls-stripped` is (docs/classification.md):
 * direct = the forced STARTTLS drew an altered echo, or STARTTLS was hidden from a
 * clean EHLO reply yet accepted; circumstantial = a STARTTLS-length mask stood in a
 * clean EHLO reply without STARTTLS and the forced STARTTLS drew an unknown-command
 * reply. Set exactly when the outcome is `starttls-stripped`.
 */
export const STRIP_EVIDENCE = ['direct', 'circumstantial'] as const;
export type StripEvidence = (typeof STRIP_EVIDENCE)[number];

/** Where a probe stopped early; null when it ran its full course. */
export const ERROR_STAGES = ['connect', 'banner', 'ehlo', 'starttls', 'tls', 'post-tls'] as const;
export type ErrorStage = (typeof ERROR_STAGES)[number];

export const CERT_STATUSES = ['valid', 'expired', 'not-yet-valid', 'self-signed', 'untrusted'] as const;
export type CertStatus = (typeof CERT_STATUSES)[number];

/** The leaf certificate's validity window at probe time, whatever its trust. */
export const CERT_VALIDITIES = ['current', 'expired', 'not-yet-valid'] as const;
export type CertValidity = (typeof CERT_VALIDITIES)[number];

export interface ScanRecord {
  ip: string;
  port: number;
  /** The name the target line carried (`ip,name`): sent as SNI, the certificate checked against it; else null. */
  server_name: string | null;
  /** Probe start, ISO 8601 UTC with milliseconds. */
  ts: string;
  outcome: Outcome;
  fingerprints: Fingerprint[];
  /** Grade of the evidence behind `starttls-stripped`; null for every other outcome. */
  strip_evidence: StripEvidence | null;
  error_stage: ErrorStage | null;
  /** Short machine-readable reason (`timeout`, `ECONNRESET`, `reply-too-large`, …) with detail. */
  error: string | null;
  /** Banner text, all lines joined by `\n`, codes stripped, escaped (see escape.ts). */
  banner: string | null;
  banner_code: number | null;
  /** Code of the accepted greeting: EHLO's, or HELO's after a fallback. */
  ehlo_code: number | null;
  /** Keyword lines of the EHLO reply as received (escaped), greeting line excluded. */
  ehlo_keywords: string[];
  /** True when EHLO was refused and HELO was sent instead. */
  helo_fallback: boolean;
  starttls_advertised: boolean;
  /** True when STARTTLS was sent (advertised, or forced). */
  starttls_sent: boolean;
  starttls_code: number | null;
  /** The reply to STARTTLS, all lines joined by `\n`, escaped. */
  starttls_reply: string | null;
  implicit_tls: boolean;
  tls_version: string | null;
  tls_cipher: string | null;
  tls_error: string | null;
  cert_sha256: string | null;
  /** Trust first: self-signed / untrusted win over expired / not-yet-valid (those need a trusted chain). */
  cert_status: CertStatus | null;
  cert_validity: CertValidity | null;
  cert_subject: string | null;
  cert_issuer: string | null;
  cert_sans: string[];
  cert_not_before: string | null;
  cert_not_after: string | null;
  cert_key_type: string | null;
  cert_key_bits: number | null;
  cert_chain_len: number | null;
  /** Whether the certificate covers the host name the banner announces; null when either is missing. */
  cert_name_matches_banner: boolean | null;
  /** Whether the certificate covers server_name; null without a name or a certificate. */
  cert_name_matches: boolean | null;
  post_tls_ehlo_code: number | null;
  post_tls_ehlo_keywords: string[];
  duration_ms: number;
  /** The exchange as `C: …` / `S: …` lines, escaped and capped: the evidence behind the classification. */
  transcript: string;
  /** Campaign, job (chunk) and vantage labels; empty strings for an untagged local scan. */
  campaign: string;
  job: string;
  vantage: string;
}

/**
 * Every field of ScanRecord, in wire order. The type below fails to compile
 * when a field is added to the interface and not here, so tests and docs that
 * walk this list (README, ClickHouse columns) cannot miss one.
 */
export const RECORD_FIELDS = [
  'ip',
  'port',
  'server_name',
  'ts',
  'outcome',
  'fingerprints',
  'strip_evidence',
  'error_stage',
  'error',
  'banner',
  'banner_code',
  'ehlo_code',
  'ehlo_keywords',
  'helo_fallback',
  'starttls_advertised',
  'starttls_sent',
  'starttls_code',
  'starttls_reply',
  'implicit_tls',
  'tls_version',
  'tls_cipher',
  'tls_error',
  'cert_sha256',
  'cert_status',
  'cert_validity',
  'cert_subject',
  'cert_issuer',
  'cert_sans',
  'cert_not_before',
  'cert_not_after',
  'cert_key_type',
  'cert_key_bits',
  'cert_chain_len',
  'cert_name_matches_banner',
  'cert_name_matches',
  'post_tls_ehlo_code',
  'post_tls_ehlo_keywords',
  'duration_ms',
  'transcript',
  'campaign',
  'job',
  'vantage',
] as const satisfies readonly (keyof ScanRecord)[];

type MissingField = Exclude<keyof ScanRecord, (typeof RECORD_FIELDS)[number]>;
// A compile error here names a ScanRecord field missing from RECORD_FIELDS.
export const RECORD_FIELDS_COMPLETE: MissingField extends never ? true : MissingField = true;
