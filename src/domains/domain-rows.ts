/**
 * Rows of the `domains` and `domain_policies` tables (migrations/0008_domains.sql):
 * one row per domain, and one per (domain, MX host, address) with its
 * verdict and the probe it rests on. The probe itself is a row of
 * `observations` (same campaign, ip, port, server_name = the MX host, ts =
 * observed_at).
 */
import { escapeBytes } from '../probe/smtp/escape.js';
import type { ScanRecord } from '../record.js';
import { formatTlsa } from '../policy/dane.js';
import type { MxVerdict } from '../policy/verdict.js';
import type { DnsAnswer } from './dns-client.js';
import type { MtaStsStatus } from './policy-fetch.js';
import type { DaneStatus, MxHost, MxStatus, ResolvedDomain } from './resolve-domain.js';

/** What a stored row keeps of a policy body a server sent: the same cap as a probe transcript. */
const MAX_POLICY_TEXT = 8 * 1024;

export const TLSRPT_STATUSES = ['none', 'ok', 'malformed', 'multiple', 'lookup-failed'] as const;
export type TlsRptStatus = (typeof TLSRPT_STATUSES)[number];

export interface DomainRow {
  campaign: string;
  vantage: string;
  ts: string;
  domain: string;
  resolver: string;
  mx_status: MxStatus;
  mx_ad: boolean;
  mx_ttl: number | null;
  mx_hosts: string[];
  mx_preferences: number[];
  mx_skipped: string[];
  mta_sts_status: MtaStsStatus;
  mta_sts_error: string | null;
  mta_sts_record: string | null;
  mta_sts_id: string | null;
  mta_sts_mode: string | null;
  mta_sts_mx: string[];
  mta_sts_max_age: number | null;
  mta_sts_policy: string | null;
  tlsrpt_status: TlsRptStatus;
  tlsrpt_record: string | null;
  tlsrpt_rua: string[];
  preload_mode: string | null;
  preload_mxs: string[];
  preload_alias: string | null;
  /** Every DNS answer the domain's verdicts used: name, type, status, AD bit, TTL, records (JSON). */
  dns_lookups: string;
}

/** The probe fields a verdict row repeats, so that violations can be counted without a join. */
export type ProbeSummary = Pick<
  ScanRecord,
  'ts' | 'outcome' | 'fingerprints' | 'strip_evidence' | 'cert_status' | 'cert_name_matches' | 'cert_sha256'
> & { dane_match: string | null };

export interface PolicyRow {
  campaign: string;
  vantage: string;
  ts: string;
  domain: string;
  mx: string;
  mx_preference: number;
  implicit_mx: boolean;
  /** Null when the MX host has no address to probe. */
  ip: string | null;
  port: number;
  address_ad: boolean;
  verdict: MxVerdict['verdict'];
  policy_source: MxVerdict['source'];
  policy_mode: string;
  sources: string[];
  source_verdicts: Record<string, string>;
  mx_matches: boolean | null;
  reasons: string[];
  dane_status: DaneStatus;
  tlsa_records: string[];
  dane_match: string | null;
  observed_at: string | null;
  outcome: string | null;
  fingerprints: string[];
  strip_evidence: string | null;
  cert_status: string | null;
  cert_name_matches: boolean | null;
  cert_sha256: string | null;
}

export interface RowLabels {
  campaign: string;
  vantage: string;
  resolver: string;
}

/** DNS text is hostile input too: escaped as server bytes are (src/probe/smtp/escape.ts). */
function escapeText(text: string): string {
  return escapeBytes(Buffer.from(text, 'latin1'));
}

export function domainRow(d: ResolvedDomain, labels: RowLabels, ts: string): DomainRow {
  const { mtaSts, tlsRpt, preload } = d;
  const lookups: DnsAnswer[] = [d.mx, mtaSts.txt, tlsRpt.txt, ...d.hosts.flatMap((h) => [h.a, h.aaaa, h.tlsa])];
  return {
    campaign: labels.campaign,
    vantage: labels.vantage,
    ts,
    domain: d.domain,
    resolver: labels.resolver,
    mx_status: d.mxStatus,
    mx_ad: d.mx.ad,
    mx_ttl: d.mx.ttl,
    mx_hosts: d.hosts.map((h) => h.host),
    mx_preferences: d.hosts.map((h) => h.preference),
    mx_skipped: [...d.skippedMx, ...d.hosts.flatMap((h) => h.reserved.map((r) => `${h.host} ${r}`))].map(escapeText),
    mta_sts_status: mtaSts.status,
    mta_sts_error: mtaSts.error === null ? null : escapeText(mtaSts.error),
    mta_sts_record: mtaSts.record === null ? null : escapeText(mtaSts.record),
    mta_sts_id: mtaSts.id,
    mta_sts_mode: mtaSts.policy?.mode ?? null,
    mta_sts_mx: mtaSts.policy?.mx ?? [],
    mta_sts_max_age: mtaSts.policy?.maxAge ?? null,
    mta_sts_policy: mtaSts.body === null ? null : escapeBytes(mtaSts.body.subarray(0, MAX_POLICY_TEXT)),
    tlsrpt_status: tlsRptStatus(tlsRpt.parsed),
    tlsrpt_record: tlsRptRecord(tlsRpt.parsed),
    tlsrpt_rua: tlsRpt.parsed?.kind === 'ok' ? tlsRpt.parsed.rua.map(escapeText) : [],
    preload_mode: preload?.mode ?? null,
    preload_mxs: preload?.mxs ?? [],
    preload_alias: preload?.alias ?? null,
    dns_lookups: JSON.stringify(lookups.map(lookupJson)),
  };
}

function tlsRptStatus(parsed: ResolvedDomain['tlsRpt']['parsed']): TlsRptStatus {
  return parsed === null ? 'lookup-failed' : parsed.kind;
}

function tlsRptRecord(parsed: ResolvedDomain['tlsRpt']['parsed']): string | null {
  if (parsed === null || parsed.kind === 'none') return null;
  return escapeText(parsed.kind === 'multiple' ? parsed.records.join('\n') : parsed.record);
}

function lookupJson(a: DnsAnswer): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    status: a.status,
    ad: a.ad,
    ttl: a.ttl,
    records: a.records.map((r) => {
      if (typeof r === 'string') return a.type === 'TXT' ? escapeText(r) : r;
      if ('exchange' in r) return `${r.preference} ${r.exchange}`;
      return formatTlsa(r);
    }),
    ...(a.detail === null ? {} : { detail: a.detail }),
  };
}

export function policyRow(
  domain: ResolvedDomain,
  host: MxHost,
  ip: string | null,
  probe: ProbeSummary | null,
  verdict: MxVerdict,
  labels: RowLabels & { port: number },
  ts: string,
): PolicyRow {
  const family = ip === null ? null : ip.includes(':') ? host.aaaa : host.a;
  return {
    campaign: labels.campaign,
    vantage: labels.vantage,
    ts,
    domain: domain.domain,
    mx: host.host,
    mx_preference: host.preference,
    implicit_mx: host.implicit,
    ip,
    port: labels.port,
    address_ad: family?.ad ?? false,
    verdict: verdict.verdict,
    policy_source: verdict.source,
    policy_mode: verdict.mode,
    sources: verdict.sources,
    source_verdicts: verdict.sourceVerdicts as Record<string, string>,
    mx_matches: verdict.mxMatches,
    // Our own words; the only DNS text in them is an MX host name, already checked as a host name.
    reasons: verdict.reasons,
    dane_status: host.daneStatus,
    tlsa_records: host.tlsa.records.map(formatTlsa),
    dane_match: probe?.dane_match ?? null,
    observed_at: probe?.ts ?? null,
    outcome: probe?.outcome ?? null,
    fingerprints: probe?.fingerprints ?? [],
    strip_evidence: probe?.strip_evidence ?? null,
    cert_status: probe?.cert_status ?? null,
    cert_name_matches: probe?.cert_name_matches ?? null,
    cert_sha256: probe?.cert_sha256 ?? null,
  };
}
