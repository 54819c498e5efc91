/**
 * What the campaign report shows, read from the store in one place so the
 * renderer stays a pure function of this data.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { UsageError } from '../errors.js';
import { describeCompleteness, type CampaignProgress } from './completeness.js';
import { loadDomainSummary, type DomainSummary } from './domain-report-data.js';
import { loadVantageSection, type VantageSection } from './vantage-data.js';

export interface Count {
  label: string;
  value: number;
}

export interface CampaignFacts extends CampaignProgress {
  campaign: string;
  /** The campaign's parameters as stored (JSON text). */
  params: string;
  seed: string;
  ehlo_name: string;
  contact: string;
  started_at: string;
  ended_at: string | null;
  jobs: number;
  attempted: number;
  responsive: number;
}

export interface PlaceRow {
  key: string;
  smtp_hosts: number;
  stripped_hosts: number;
}

export interface StrippedHost {
  host: string;
  port: number;
  vantage: string;
  /** direct or circumstantial (docs/classification.md). */
  strip_evidence: string;
  fingerprints: string[];
  ehlo_keywords: string[];
  banner: string;
}

export interface CampaignSummary {
  facts: CampaignFacts;
  /** Stored observations (responsive addresses), distinct SMTP hosts, stripped hosts. */
  observations: number;
  smtpHosts: number;
  strippedHosts: number;
  /** Stripped hosts by evidence grade: analysts may count only the direct ones. */
  strippedDirect: number;
  strippedCircumstantial: number;
  /** SMTP hosts whose probe ran out of time after the banner: ours to explain, never a server's refusal. */
  timeoutHosts: number;
  /** TLS hosts: the handshake completed, whatever the certificate or the outcome (migrations/0009_definitions.sql). */
  tlsHosts: number;
  outcomes: Count[];
  fingerprints: Count[];
  tlsVersions: Count[];
  certStatus: Count[];
  asns: PlaceRow[];
  countries: PlaceRow[];
  banners: Count[];
  certNames: { subject: string; issuer: string; hosts: number }[];
  stripped: StrippedHost[];
}

export interface HistoryPoint {
  campaign: string;
  started_at: string;
  smtpHosts: number;
  strippedShare: number;
  tlsShare: number;
  /** State and completeness in one phrase (completeness.ts): a cut-short campaign is a different sample. */
  completeness: string;
}

/** Which campaigns the time series draws, and why: only ones that measure the same thing. */
export interface History {
  /** `named`: the campaigns the user listed (--series); `same-targets`: the report's target set and port. */
  rule: 'named' | 'same-targets';
  /** The target set and port the campaigns share, as stored in their parameters; null when named. */
  targets: string | null;
  points: HistoryPoint[];
  /** Campaigns named on the command line (--compare) left off the line because they scanned other targets. */
  excluded: string[];
}

export interface ReportData {
  generatedAt: string;
  storeDescription: string;
  main: CampaignSummary;
  compare: CampaignSummary | null;
  /** The time series across campaigns, oldest first: only comparable campaigns. */
  history: History;
  /** The main campaign's domains and verdicts, when it was a `stripscan domains` run. */
  domains: DomainSummary | null;
  /** The main campaign's vantage points compared, when it was seen from two or more. */
  vantages?: VantageSection | null;
}

/**
 * Table sizes: a report is read by people, and server text must not grow it without bound.
 * textChars bounds what a tooltip can hold; the renderer cuts what it shows much shorter.
 */
const LIMITS = { places: 25, banners: 40, certNames: 25, stripped: 25, keywords: 20, textChars: 2000 } as const;

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow', query_params: params });
  return rs.json<T>();
}

async function counts(client: ClickHouseClient, query: string, campaign: string): Promise<Count[]> {
  const r = await rows<{ label: string; value: number }>(client, query, { campaign });
  return r.map((x) => ({ label: String(x.label), value: Number(x.value) }));
}

export async function loadCampaignSummary(
  client: ClickHouseClient,
  campaign: string,
  flag = '--campaign',
): Promise<CampaignSummary> {
  const p = { campaign };
  const facts = await rows<CampaignFacts>(
    client,
    `SELECT c.campaign AS campaign, c.params AS params, c.seed AS seed, c.ehlo_name AS ehlo_name, c.contact AS contact,
       toString(c.started_at) AS started_at, if(isNull(c.ended_at), NULL, toString(c.ended_at)) AS ended_at,
       c.state AS state, c.addresses_total AS addresses_total, c.chunks_total AS chunks_total,
       c.chunks_done AS chunks_done, c.chunks_failed AS chunks_failed, c.attempted AS progress_attempted,
       (SELECT count() FROM job_stats FINAL WHERE campaign = {campaign:String}) AS jobs,
       (SELECT sum(attempted) FROM job_stats FINAL WHERE campaign = {campaign:String}) AS attempted,
       (SELECT sum(responsive) FROM job_stats FINAL WHERE campaign = {campaign:String}) AS responsive
     FROM campaigns AS c FINAL WHERE c.campaign = {campaign:String}`,
    p,
  );
  const head = await rows<{
    observations: number;
    smtp: number;
    stripped: number;
    direct: number;
    circumstantial: number;
    timeouts: number;
    ok: number;
  }>(
    client,
    // is_smtp_host, is_tls_host, is_stripped: the one definition every query and panel shares (docs/schema.md).
    `SELECT count() AS observations, uniqExactIf(ip, is_smtp_host) AS smtp,
       uniqExactIf(ip, is_stripped) AS stripped,
       uniqExactIf(ip, is_stripped AND strip_evidence = 'direct') AS direct,
       uniqExactIf(ip, is_stripped AND strip_evidence = 'circumstantial') AS circumstantial,
       uniqExactIf(ip, outcome = 'timeout') AS timeouts, uniqExactIf(ip, is_tls_host) AS ok
     FROM observations WHERE campaign = {campaign:String}`,
    p,
  );
  const h = head[0] ?? { observations: 0, smtp: 0, stripped: 0, direct: 0, circumstantial: 0, timeouts: 0, ok: 0 };
  const f = facts[0];
  if (f === undefined && Number(h.observations) === 0) {
    const known = await rows<{ campaign: string }>(
      client,
      'SELECT campaign FROM campaigns FINAL ORDER BY started_at DESC LIMIT 20',
      {},
    );
    throw new UsageError(
      `${flag} ${JSON.stringify(campaign)}: no such campaign in the store` +
        (known.length > 0 ? ` (recent: ${known.map((k) => k.campaign).join(', ')})` : ' (it holds no campaigns)'),
    );
  }
  const where = 'FROM observations WHERE campaign = {campaign:String}';
  const places = (key: string) =>
    rows<PlaceRow>(
      client,
      `SELECT toString(${key}) AS key, uniqExactIf(ip, is_smtp_host) AS smtp_hosts,
         uniqExactIf(ip, is_stripped) AS stripped_hosts
       ${where} GROUP BY key HAVING smtp_hosts > 0
       ORDER BY stripped_hosts DESC, smtp_hosts DESC, key LIMIT ${LIMITS.places}`,
      p,
    );
  const [outcomes, fingerprints, tlsVersions, certStatus, asns, countries, banners, certNames, stripped] =
    await Promise.all([
      counts(
        client,
        `SELECT toString(outcome) AS label, count() AS value ${where} GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      counts(
        client,
        `SELECT toString(f) AS label, count() AS value FROM observations ARRAY JOIN fingerprints AS f
         WHERE campaign = {campaign:String} GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      counts(
        client,
        `SELECT tls_version AS label, uniqExact(ip) AS value ${where} AND is_tls_host GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      counts(
        client,
        `SELECT ifNull(toString(cert_status), '(no certificate)') AS label, uniqExact(ip) AS value ${where} AND is_tls_host
         GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      places('asn'),
      places('country'),
      counts(
        client,
        `SELECT substring(banner, 1, ${LIMITS.textChars}) AS label, uniqExact(ip) AS value ${where} AND banner IS NOT NULL
         GROUP BY label ORDER BY value DESC, label LIMIT ${LIMITS.banners}`,
        campaign,
      ),
      rows<{ subject: string; issuer: string; hosts: number }>(
        client,
        `SELECT substring(coalesce(cert_subject, ''), 1, ${LIMITS.textChars}) AS subject,
           substring(coalesce(cert_issuer, ''), 1, ${LIMITS.textChars}) AS issuer, uniqExact(ip) AS hosts
         ${where} AND is_tls_host AND cert_sha256 IS NOT NULL GROUP BY subject, issuer ORDER BY hosts DESC, subject, issuer LIMIT ${LIMITS.certNames}`,
        p,
      ),
      rows<StrippedHost>(
        client,
        `SELECT host, port, vantage,
           ifNull(toString(strip_evidence), '') AS strip_evidence,
           arrayMap(x -> toString(x), fingerprints) AS fingerprints,
           arrayMap(k -> substring(k, 1, ${LIMITS.textChars}), arraySlice(ehlo_keywords, 1, ${LIMITS.keywords})) AS ehlo_keywords,
           substring(coalesce(banner, ''), 1, ${LIMITS.textChars}) AS banner
         ${where} AND is_stripped ORDER BY ip, port, vantage LIMIT ${LIMITS.stripped}`,
        p,
      ),
    ]);
  return {
    facts:
      f !== undefined
        ? withProgressNumbers(f)
        : {
            campaign,
            params: '{}',
            seed: '',
            ehlo_name: '',
            contact: '',
            started_at: '',
            ended_at: null,
            jobs: 0,
            attempted: 0,
            responsive: 0,
            state: '',
            addresses_total: 0,
            chunks_total: 0,
            chunks_done: 0,
            chunks_failed: 0,
            progress_attempted: 0,
          },
    observations: Number(h.observations),
    smtpHosts: Number(h.smtp),
    strippedHosts: Number(h.stripped),
    strippedDirect: Number(h.direct),
    strippedCircumstantial: Number(h.circumstantial),
    timeoutHosts: Number(h.timeouts),
    tlsHosts: Number(h.ok),
    outcomes,
    fingerprints,
    tlsVersions,
    certStatus,
    asns: asns.map(numbersOf),
    countries: countries.map(numbersOf),
    banners,
    certNames: certNames.map((c) => ({ ...c, hosts: Number(c.hosts) })),
    stripped: stripped.map((s) => ({ ...s, port: Number(s.port) })),
  };
}

/** Counts arrive as JSON numbers, or as strings from a server that quotes 64-bit integers: numbers either way. */
function withProgressNumbers<T extends CampaignProgress>(f: T): T {
  return {
    ...f,
    state: String(f.state),
    addresses_total: Number(f.addresses_total),
    chunks_total: Number(f.chunks_total),
    chunks_done: Number(f.chunks_done),
    chunks_failed: Number(f.chunks_failed),
    progress_attempted: Number(f.progress_attempted),
  };
}

function numbersOf(r: PlaceRow): PlaceRow {
  return { key: String(r.key), smtp_hosts: Number(r.smtp_hosts), stripped_hosts: Number(r.stripped_hosts) };
}

/**
 * What a campaign scanned, from its stored parameters: the target specs (a
 * local scan's `targets` and `targets_file`, a distributed campaign's `specs`,
 * blocklists and allowlist) and the port. Two campaigns with the same key
 * measured the same population, so their shares may share a line; anything
 * else (the demo fleet beside a sim scan, port 25 beside 587) may not. Null
 * when the parameters do not say (rows from an older stripscan, or none).
 */
export function targetSetKey(paramsJson: string): string | null {
  let p: unknown;
  try {
    p = JSON.parse(paramsJson);
  } catch {
    return null;
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return null;
  const o = p as Record<string, unknown>;
  const targets = o.targets ?? o.specs;
  if (typeof o.port !== 'number' || !Array.isArray(targets) || targets.length === 0) return null;
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? [...v].map((x) => JSON.stringify(x)).sort() : (v ?? null);
  return JSON.stringify({
    port: o.port,
    targets: sorted(targets),
    targets_file: o.targets_file ?? null,
    blocklists: sorted(o.blocklists),
    allowlist: o.allowlist ?? null,
  });
}

/** A readable form of the key for the report: "127.20.0.0/25 port 2525". */
function describeTargets(paramsJson: string): string {
  const o = JSON.parse(paramsJson) as Record<string, unknown>;
  const targets = (o.targets ?? o.specs) as unknown[];
  const file = typeof o.targets_file === 'string' ? ` + ${o.targets_file}` : '';
  return `${targets.map(String).join(' ')}${file} port ${String(o.port)}`;
}

/**
 * The time series: the campaigns the user named (`--series`, the report's own
 * campaign always among them), or else every campaign over the report
 * campaign's target set and port that started up to it. Oldest first, at most
 * `limit` points. Figures use the shared definitions (is_smtp_host, …).
 */
export async function loadHistory(
  client: ClickHouseClient,
  opts: { campaign: string; compare?: string | undefined; series?: readonly string[] | undefined },
  limit = 60,
): Promise<History> {
  const known = await rows<{ campaign: string; params: string; started_at: string }>(
    client,
    'SELECT campaign, params, toString(started_at) AS started_at FROM campaigns FINAL ORDER BY started_at, campaign',
    {},
  );
  const named = opts.series !== undefined && opts.series.length > 0;
  const main = known.find((k) => k.campaign === opts.campaign);
  const key = main === undefined ? null : targetSetKey(main.params);
  let chosen: string[];
  if (named) {
    chosen = [...new Set([opts.campaign, ...(opts.series ?? [])])];
  } else {
    // Only campaigns that started up to the report's: a report read later still draws the same line.
    chosen = known
      .filter(
        (k) =>
          (k.campaign === opts.campaign || (key !== null && targetSetKey(k.params) === key)) &&
          (main === undefined || k.started_at <= main.started_at || k.campaign === opts.compare),
      )
      .map((k) => k.campaign);
    if (!chosen.includes(opts.campaign)) chosen.push(opts.campaign);
  }
  const excluded = !named && opts.compare !== undefined && !chosen.includes(opts.compare) ? [opts.compare] : [];
  const r = await rows<
    CampaignProgress & { campaign: string; started_at: string; smtp: number; stripped: number; tls: number }
  >(
    client,
    `SELECT o.campaign AS campaign, ifNull(toString(c.started_at), '') AS started_at, o.smtp AS smtp,
       o.stripped AS stripped, o.tls AS tls, ifNull(c.state, '') AS state,
       if(isNull(c.ended_at), NULL, toString(c.ended_at)) AS ended_at, ifNull(c.addresses_total, 0) AS addresses_total,
       ifNull(c.chunks_total, 0) AS chunks_total, ifNull(c.chunks_done, 0) AS chunks_done,
       ifNull(c.chunks_failed, 0) AS chunks_failed, ifNull(c.attempted, 0) AS progress_attempted
     FROM (
       SELECT campaign, uniqExactIf(ip, is_smtp_host) AS smtp, uniqExactIf(ip, is_stripped) AS stripped,
         uniqExactIf(ip, is_tls_host) AS tls
       FROM observations WHERE campaign IN {campaigns:Array(String)} GROUP BY campaign
     ) AS o
     LEFT JOIN (
       SELECT campaign, started_at, state, ended_at, addresses_total, chunks_total, chunks_done, chunks_failed, attempted
       FROM campaigns FINAL
     ) AS c ON o.campaign = c.campaign
     ORDER BY c.started_at DESC, o.campaign DESC LIMIT ${limit}`,
    { campaigns: chosen },
  );
  return {
    rule: named ? 'named' : 'same-targets',
    targets: !named && main !== undefined && key !== null ? describeTargets(main.params) : null,
    excluded,
    points: r
      .map((x) => ({
        campaign: x.campaign,
        started_at: x.started_at,
        smtpHosts: Number(x.smtp),
        strippedShare: Number(x.smtp) > 0 ? Number(x.stripped) / Number(x.smtp) : 0,
        tlsShare: Number(x.smtp) > 0 ? Number(x.tls) / Number(x.smtp) : 0,
        completeness: describeCompleteness(withProgressNumbers(x)),
      }))
      .reverse(),
  };
}

export async function loadReportData(
  client: ClickHouseClient,
  opts: {
    campaign: string;
    compare?: string | undefined;
    series?: readonly string[] | undefined;
    storeDescription: string;
    now?: Date;
  },
): Promise<ReportData> {
  const main = await loadCampaignSummary(client, opts.campaign);
  const compare = opts.compare === undefined ? null : await loadCampaignSummary(client, opts.compare, '--compare');
  for (const name of opts.series ?? []) await requireCampaign(client, name);
  const history = await loadHistory(client, opts);
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    storeDescription: opts.storeDescription,
    main,
    compare,
    history,
    domains: await loadDomainSummary(client, opts.campaign),
    vantages: await loadVantageSection(client, opts.campaign),
  };
}

/** A --series name the store does not know is a typo: say so rather than draw a shorter line. */
async function requireCampaign(client: ClickHouseClient, campaign: string): Promise<void> {
  const found = await rows<{ n: number }>(
    client,
    `SELECT (SELECT count() FROM campaigns WHERE campaign = {campaign:String})
       + (SELECT count() FROM observations WHERE campaign = {campaign:String}) AS n`,
    { campaign },
  );
  if (Number(found[0]?.n ?? 0) === 0) {
    throw new UsageError(`--series ${JSON.stringify(campaign)}: no such campaign in the store`);
  }
}
