/**
 * Everything DNS and HTTPS tell about one domain before any SMTP probe: its
 * MX hosts (RFC 5321 §5.1, RFC 7505), each host's addresses and TLSA
 * records, its MTA-STS policy and TLS-RPT record, and its preload-list
 * entry. All lookups go through the injected DnsClient; every answer used is
 * kept, with its TTL and AD bit, for the domain's row.
 */
import { isHostName, normalizeHostName } from '../dns-name.js';
import { isUsableForSmtp, type TlsaRecord } from '../policy/dane.js';
import type { PreloadList, PreloadPolicy } from '../policy/preload-list.js';
import type { DaneState } from '../policy/verdict.js';
import type { DnsAnswer } from './dns-client.js';
import { reservedRangeOf } from './reserved-addresses.js';
import {
  fetchMtaSts,
  fetchTlsRpt,
  type MtaStsResult,
  type PolicyFetchOptions,
  type TlsRptResult,
} from './policy-fetch.js';

/** How the MX lookup ended, stored in domains.mx_status. */
export const MX_STATUSES = [
  'mx',
  'implicit',
  'null-mx',
  'nxdomain',
  'servfail',
  'refused',
  'timeout',
  'error',
] as const;
export type MxStatus = (typeof MX_STATUSES)[number];

/** What DANE amounts to for one MX host, stored in domain_policies.dane_status. */
export const DANE_STATUSES = ['none', 'insecure', 'usable', 'no-usable-records', 'bogus', 'error'] as const;
export type DaneStatus = (typeof DANE_STATUSES)[number];

/**
 * Bounds on what one domain's DNS may make us probe: a hostile zone can list
 * hundreds of MX hosts and addresses. Beyond these the rest is recorded as
 * skipped in the domain's row, never probed.
 */
export const MAX_MX_HOSTS = 16;
export const MAX_ADDRESSES_PER_HOST = 8;

export interface MxHost {
  host: string;
  preference: number;
  /** No MX records: the domain itself, as RFC 5321 §5.1's implicit MX. */
  implicit: boolean;
  a: DnsAnswer<'A'>;
  aaaa: DnsAnswer<'AAAA'>;
  tlsa: DnsAnswer<'TLSA'>;
  /** The addresses probed (A then AAAA, at most MAX_ADDRESSES_PER_HOST). */
  addresses: string[];
  /** Addresses in a reserved range, not probed without `--allow-reserved`: `ip (range name)`. */
  reserved: string[];
  dane: DaneState;
  daneStatus: DaneStatus;
}

export interface ResolvedDomain {
  domain: string;
  mxStatus: MxStatus;
  mx: DnsAnswer<'MX'>;
  hosts: MxHost[];
  /** MX exchanges not probed: not a host name, or over MAX_MX_HOSTS. */
  skippedMx: string[];
  mtaSts: MtaStsResult;
  tlsRpt: TlsRptResult;
  preload: PreloadPolicy | null;
}

export interface ResolveOptions extends PolicyFetchOptions {
  preload: PreloadList;
  /** Probe MX addresses in the IANA special-purpose ranges too (a lab, the test world on 127.0.0.0/8). */
  allowReserved: boolean;
}

export async function resolveDomain(domain: string, opts: ResolveOptions): Promise<ResolvedDomain> {
  const { dns } = opts;
  const [mx, mtaSts, tlsRpt] = await Promise.all([
    dns.query(domain, 'MX'),
    fetchMtaSts(domain, opts),
    fetchTlsRpt(domain, dns),
  ]);
  const base = { domain, mx, mtaSts, tlsRpt, preload: opts.preload.policyOf(domain), skippedMx: [] as string[] };
  const exchanges = mx.records.filter((r) => !isRoot(r.exchange));
  if (mx.status === 'ok' && exchanges.length === 0) {
    // RFC 7505: a null MX (`MX 0 .`): the domain accepts no mail, there is nothing to probe.
    return { ...base, mxStatus: 'null-mx', hosts: [] };
  }
  if (mx.status !== 'ok' && mx.status !== 'nodata') return { ...base, mxStatus: mx.status, hosts: [] };
  const implicit = mx.status === 'nodata';
  // RFC 5321 §5.1: no MX records at all → the domain's own address records are an implicit MX of preference 0.
  const wanted = implicit
    ? [{ preference: 0, exchange: domain }]
    : [...exchanges].sort((x, y) => x.preference - y.preference || x.exchange.localeCompare(y.exchange));
  const seen = new Set<string>();
  const chosen: { preference: number; host: string }[] = [];
  for (const { preference, exchange } of wanted) {
    const host = normalizeHostName(exchange);
    if (seen.has(host)) continue;
    seen.add(host);
    if (!isHostName(host) || chosen.length >= MAX_MX_HOSTS) base.skippedMx.push(host);
    else chosen.push({ preference, host });
  }
  const hosts = await Promise.all(chosen.map(({ preference, host }) => resolveHost(host, preference, implicit, opts)));
  return { ...base, mxStatus: implicit ? 'implicit' : 'mx', hosts };
}

async function resolveHost(host: string, preference: number, implicit: boolean, opts: ResolveOptions): Promise<MxHost> {
  const { dns } = opts;
  const [a, aaaa, tlsa] = await Promise.all([
    dns.query(host, 'A'),
    dns.query(host, 'AAAA'),
    // RFC 7672 §2.2: the TLSA base name of an MX host is _25._tcp.<host>, whatever port a lab probes on.
    dns.query(`_25._tcp.${host}`, 'TLSA'),
  ]);
  const addresses: string[] = [];
  const reserved: string[] = [];
  for (const ip of new Set([...a.records, ...aaaa.records])) {
    const range = opts.allowReserved ? null : reservedRangeOf(ip);
    if (range !== null) reserved.push(`${ip} (${range})`);
    else if (addresses.length < MAX_ADDRESSES_PER_HOST) addresses.push(ip);
  }
  return { host, preference, implicit, a, aaaa, tlsa, addresses, reserved, ...daneOf(a, aaaa, tlsa) };
}

function isRoot(exchange: string): boolean {
  return exchange === '' || exchange === '.';
}

/**
 * RFC 7672 §2.2: TLSA records count only when both they and the MX host's
 * address records were DNSSEC-validated. An insecure TLSA answer is ignored;
 * a failed TLSA lookup under secure addresses (SERVFAIL from a validating
 * resolver: bogus; or no answer) makes the MX unusable, never a pass.
 */
function daneOf(
  a: DnsAnswer<'A'>,
  aaaa: DnsAnswer<'AAAA'>,
  tlsa: DnsAnswer<'TLSA'>,
): { dane: DaneState; daneStatus: DaneStatus } {
  const withAddresses = [a, aaaa].filter((x) => x.status === 'ok');
  const addressesSecure = withAddresses.length > 0 && withAddresses.every((x) => x.ad);
  switch (tlsa.status) {
    case 'nodata':
    case 'nxdomain':
      return { dane: { kind: 'none', note: null }, daneStatus: 'none' };
    case 'ok': {
      if (!tlsa.ad) return { dane: { kind: 'none', note: 'tlsa-insecure-ignored' }, daneStatus: 'insecure' };
      if (!addressesSecure)
        return { dane: { kind: 'none', note: 'tlsa-ignored-address-insecure' }, daneStatus: 'insecure' };
      const records: TlsaRecord[] = tlsa.records;
      return {
        dane: { kind: 'tlsa', records },
        daneStatus: records.some(isUsableForSmtp) ? 'usable' : 'no-usable-records',
      };
    }
    case 'servfail':
      if (!addressesSecure)
        return { dane: { kind: 'none', note: 'tlsa-servfail-address-insecure' }, daneStatus: 'none' };
      return { dane: { kind: 'unusable', reason: 'tlsa-bogus' }, daneStatus: 'bogus' };
    default:
      if (!addressesSecure)
        return { dane: { kind: 'none', note: `tlsa-lookup-${tlsa.status}-address-insecure` }, daneStatus: 'none' };
      return { dane: { kind: 'unusable', reason: `tlsa-lookup-${tlsa.status}` }, daneStatus: 'error' };
  }
}
