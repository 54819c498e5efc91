/**
 * `stripscan domains` from start to summary: resolve each domain (MX,
 * addresses, TLSA, MTA-STS, TLS-RPT, preload entry), probe every (MX host,
 * address) once through the chunk runner — the same probe and evidence
 * rules as `stripscan scan`, with the MX host as SNI and as the name the
 * certificate is held to — then judge each domain's MX addresses against
 * its policies and store domains, verdicts and observations.
 *
 * Domains go in batches, so memory follows the batch, not the list; a probe
 * is remembered (a few fields and its DANE match) for the whole run, so an
 * MX host shared by many domains is probed once per name and address, and
 * its record serves each of them.
 */
import pLimit from 'p-limit';
import { formatTlsa, matchDane, type DaneMatch } from '../policy/dane.js';
import { judgeMx, VERDICTS, type MtaStsState, type Verdict } from '../policy/verdict.js';
import type { DriverOptions, RecordLabels } from '../probe/driver.js';
import type { ScanRecord } from '../record.js';
import { runChunk } from '../scan/chunk-runner.js';
import { emptyStats, isResponsive, jobStatsRow, type ChunkStats } from '../scan/chunk-stats.js';
import { openJsonlSink, type JsonlSink } from '../scan/jsonl-sink.js';
import { TokenBucket, UNPACED } from '../scan/pacer.js';
import { formatSummary } from '../scan/summary.js';
import type { CampaignRow, OpenStoreOptions } from '../store/index.js';
import { TargetNames } from '../targets/index.js';
import type { DnsClient } from './dns-client.js';
import {
  domainRow,
  policyRow,
  type DomainRow,
  type PolicyRow,
  type ProbeSummary,
  type RowLabels,
} from './domain-rows.js';
import { openDomainStore, type DomainStore } from './domain-store.js';
import type { MtaStsResult } from './policy-fetch.js';
import { resolveDomain, type ResolveOptions, type ResolvedDomain } from './resolve-domain.js';
import { formatResolverAddress } from './resolver-address.js';

export interface DomainScanOptions {
  domains: readonly string[];
  dns: DnsClient;
  /** Policy fetching and the preload list; `dns` is the same client. */
  resolve: Omit<ResolveOptions, 'dns'>;
  port: number;
  concurrency: number;
  /** New SMTP connections per second; 0 = unpaced. DNS has its own pacer inside the DnsClient. */
  rate: number;
  driver: DriverOptions;
  labels: RecordLabels;
  store: OpenStoreOptions | null;
  /** One JSON line per domain, its verdicts nested: a file, `-` for stdout, or undefined. */
  jsonl: string | undefined;
  params: Record<string, unknown>;
  contact: string;
  /** Domains resolved, probed and stored together. */
  batchSize: number;
  log(text: string): void;
}

export interface DomainResult extends DomainRow {
  verdicts: PolicyRow[];
}

export interface DomainScanResult {
  domains: number;
  verdicts: Record<Verdict, number>;
  /** Verdict counts of rows whose governing source is the preload list, counted apart (the list is retired). */
  preloadOnly: number;
  stats: ChunkStats;
  dnsQueries: number;
  elapsedMs: number;
}

export async function runDomainScan(opts: DomainScanOptions): Promise<DomainScanResult> {
  const store = opts.store === null ? null : await openDomainStore(opts.store);
  const jsonl: JsonlSink<DomainResult> | null =
    opts.jsonl === undefined ? null : openJsonlSink<DomainResult>(opts.jsonl);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const campaignRow: CampaignRow = {
    campaign: opts.labels.campaign,
    params: opts.params,
    seed: '',
    ehlo_name: opts.driver.ehloName,
    contact: opts.contact,
    started_at: startedAt,
    ended_at: null,
    state: 'running',
    addresses_total: 0,
    chunks_total: 1,
    chunks_done: 0,
    chunks_failed: 0,
    attempted: 0,
    responsive: 0,
    counters: { domains: opts.domains.length },
  };
  const rowLabels: RowLabels = {
    campaign: opts.labels.campaign,
    vantage: opts.labels.vantage,
    resolver: formatResolverAddress(opts.dns.resolver),
  };
  const stats = emptyStats();
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  let preloadOnly = 0;
  const probes = new Map<string, ProbeMemo>();
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (store !== null) await store.upsertCampaign(campaignRow);
    for (let first = 0; first < opts.domains.length && !abort.signal.aborted; first += opts.batchSize) {
      const batch = opts.domains.slice(first, first + opts.batchSize);
      const resolved = await resolveBatch(batch, opts);
      await probeBatch(resolved, probes, stats, opts, store, abort.signal);
      const ts = new Date().toISOString();
      const domainRows: DomainRow[] = [];
      const policyRows: PolicyRow[] = [];
      for (const d of resolved) {
        const row = domainRow(d, rowLabels, ts);
        const rows = verdictRows(d, probes, { ...rowLabels, port: opts.port }, ts);
        for (const r of rows) {
          verdicts[r.verdict]++;
          if (r.policy_source === 'preload') preloadOnly++;
        }
        domainRows.push(row);
        policyRows.push(...rows);
        const pending = jsonl?.write({ ...row, verdicts: rows });
        if (pending) await pending;
      }
      if (store !== null) await store.insertDomains(domainRows, policyRows);
    }
    await jsonl?.close();
    const elapsedMs = Date.now() - started;
    if (store !== null) {
      const finishedAt = new Date().toISOString();
      await store.recordJobStats(jobStatsRow(opts.labels, stats, startedAt, finishedAt));
      await store.upsertCampaign({
        ...campaignRow,
        ended_at: finishedAt,
        state: abort.signal.aborted ? 'cancelled' : 'done',
        chunks_done: abort.signal.aborted ? 0 : 1,
        attempted: stats.attempted,
        responsive: stats.responsive,
      });
      // Last: the job's statistics and the campaign's end go through the writer too (and spool with it).
      await store.closeWriter(opts.log);
    }
    const result = {
      domains: opts.domains.length,
      verdicts,
      preloadOnly,
      stats,
      dnsQueries: opts.dns.queriesSent,
      elapsedMs,
    };
    opts.log(`campaign ${opts.labels.campaign}\n` + formatDomainSummary(result));
    if (store !== null) opts.log(`stored in ${store.description}\n`);
    return result;
  } finally {
    await store?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function resolveBatch(batch: readonly string[], opts: DomainScanOptions): Promise<ResolvedDomain[]> {
  const limit = pLimit(opts.concurrency);
  const resolveOpts: ResolveOptions = { ...opts.resolve, dns: opts.dns };
  return Promise.all(batch.map((domain) => limit(() => resolveDomain(domain, resolveOpts))));
}

/** What the run remembers of one probe: the fields verdict rows repeat, and the DANE match of its chain. */
interface ProbeMemo {
  summary: ProbeSummary;
  dane: DaneMatch | null;
}

function probeKey(host: string, ip: string): string {
  return `${host} ${ip}`;
}

/** Probe every (MX host, address) of the batch not probed earlier in the run. */
async function probeBatch(
  resolved: readonly ResolvedDomain[],
  probes: Map<string, ProbeMemo>,
  stats: ChunkStats,
  opts: DomainScanOptions,
  store: DomainStore | null,
  signal: AbortSignal,
): Promise<void> {
  const targets = new Set<string>();
  const tlsaOf = new Map<string, ResolvedDomain['hosts'][number]>();
  for (const d of resolved) {
    for (const host of d.hosts) {
      tlsaOf.set(host.host, host);
      for (const ip of host.addresses) if (!probes.has(probeKey(host.host, ip))) targets.add(`${ip},${host.host}`);
    }
  }
  if (targets.size === 0) return;
  const { specs, names } = TargetNames.split([...targets]);
  const onRecord = async (record: ScanRecord, chain: Buffer[] | null): Promise<void> => {
    const host = record.server_name ?? '';
    const dane = tlsaOf.get(host)?.dane;
    const match: DaneMatch | null =
      dane?.kind === 'tlsa' && chain !== null ? matchDane(dane.records, chain, host, Date.parse(record.ts)) : null;
    probes.set(probeKey(host, record.ip), {
      summary: {
        ts: record.ts,
        outcome: record.outcome,
        fingerprints: record.fingerprints,
        strip_evidence: record.strip_evidence,
        cert_status: record.cert_status,
        cert_name_matches: record.cert_name_matches,
        cert_sha256: record.cert_sha256,
        dane_match: match?.matched === true ? formatTlsa(match.record) : null,
      },
      dane: match,
    });
    if (store !== null && isResponsive(record)) await store.writeObservation(record);
  };
  const batchStats = await runChunk({
    addresses: [...new Set(specs)],
    names,
    port: opts.port,
    concurrency: opts.concurrency,
    driver: opts.driver,
    labels: opts.labels,
    pacer: opts.rate > 0 ? new TokenBucket(opts.rate) : UNPACED,
    keepPeerChain: true,
    onRecord,
    signal,
  });
  addStats(stats, batchStats);
}

function verdictRows(
  d: ResolvedDomain,
  probes: ReadonlyMap<string, ProbeMemo>,
  labels: RowLabels & { port: number },
  ts: string,
): PolicyRow[] {
  const mtaSts = mtaStsState(d.mtaSts);
  const rows: PolicyRow[] = [];
  for (const host of d.hosts) {
    const addresses: (string | null)[] = host.addresses.length > 0 ? host.addresses : [null];
    for (const ip of addresses) {
      const memo = ip === null ? undefined : probes.get(probeKey(host.host, ip));
      const verdict = judgeMx({
        mxHost: host.host,
        mtaSts,
        dane: host.dane,
        preload: d.preload,
        probe: memo?.summary ?? null,
        // No memo for an address: it has none, or the run was interrupted before its probe.
        noProbeReason:
          ip !== null
            ? 'probe-interrupted'
            : host.reserved.length > 0
              ? 'mx-address-reserved'
              : `mx-no-address: A ${host.a.status}, AAAA ${host.aaaa.status}`,
        daneMatch: memo?.dane ?? null,
      });
      rows.push(policyRow(d, host, ip, memo?.summary ?? null, verdict, labels, ts));
    }
  }
  return rows;
}

function mtaStsState(r: MtaStsResult): MtaStsState {
  if (r.status === 'none') return { kind: 'none' };
  if (r.status === 'ok' && r.policy !== null) return { kind: 'policy', policy: r.policy };
  return { kind: 'error', reason: `mta-sts-${r.status}` };
}

function addStats(total: ChunkStats, part: ChunkStats): void {
  total.attempted += part.attempted;
  total.responsive += part.responsive;
  total.connectTimeouts += part.connectTimeouts;
  total.heldMs += part.heldMs;
  total.durationMs += part.durationMs;
  for (const key of Object.keys(part.outcomes) as (keyof ChunkStats['outcomes'])[])
    total.outcomes[key] += part.outcomes[key];
  for (const key of Object.keys(part.fingerprints) as (keyof ChunkStats['fingerprints'])[]) {
    total.fingerprints[key] += part.fingerprints[key];
  }
}

export function formatDomainSummary(r: DomainScanResult): string {
  const lines = [`${r.domains} domains, ${r.dnsQueries} DNS queries; MX probes:`];
  lines.push(formatSummary(r.stats, r.elapsedMs).trimEnd());
  lines.push('verdicts (one per domain, MX host and address):');
  const width = Math.max(...VERDICTS.map((v) => v.length));
  for (const v of VERDICTS)
    if (r.verdicts[v] > 0) lines.push(`  ${v.padEnd(width)} ${String(r.verdicts[v]).padStart(8)}`);
  if (r.preloadOnly > 0) lines.push(`  (${r.preloadOnly} of them rest on the retired STARTTLS Everywhere list alone)`);
  return lines.join('\n') + '\n';
}
