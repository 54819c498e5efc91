/**
 * What the campaign report shows, read from the store in one place so the
 * renderer stays a pure function of this data.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { UsageError } from '../errors.js';
import { SMTP_OUTCOMES } from '../record.js';
import type { CampaignProgress } from './completeness.js';
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
  tlsOkHosts: number;
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
  tlsOkShare: number;
}

export interface ReportData {
  generatedAt: string;
  storeDescription: string;
  main: CampaignSummary;
  compare: CampaignSummary | null;
  /** Every campaign in the store up to the report's, oldest first: the time series across campaigns. */
  history: HistoryPoint[];
  /** The main campaign's domains and verdicts, when it was a `stripscan domains` run. */
  domains: DomainSummary | null;
  /** The main campaign's vantage points compared, when it was seen from two or more. */
  vantages?: VantageSection | null;
}

/** SMTP-speaking outcomes are the denominator of every share in the report. */
const SMTP_IN = `(${SMTP_OUTCOMES.map((o) => `'${o}'`).join(', ')})`;

/** Table sizes: a report is read by people, and server text must not grow it without bound. */
const LIMITS = { places: 25, banners: 40, certNames: 25, stripped: 25, textChars: 300 } as const;

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
    `SELECT count() AS observations, uniqExactIf(ip, outcome IN ${SMTP_IN}) AS smtp,
       uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped,
       uniqExactIf(ip, strip_evidence = 'direct') AS direct,
       uniqExactIf(ip, strip_evidence = 'circumstantial') AS circumstantial,
       uniqExactIf(ip, outcome = 'timeout') AS timeouts, uniqExactIf(ip, outcome = 'tls-ok') AS ok
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
      `SELECT toString(${key}) AS key, uniqExactIf(ip, outcome IN ${SMTP_IN}) AS smtp_hosts,
         uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped_hosts
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
        `SELECT tls_version AS label, count() AS value ${where} AND tls_version IS NOT NULL GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      counts(
        client,
        `SELECT toString(cert_status) AS label, count() AS value ${where} AND cert_status IS NOT NULL GROUP BY label ORDER BY value DESC, label`,
        campaign,
      ),
      places('asn'),
      places('country'),
      counts(
        client,
        `SELECT substring(banner, 1, ${LIMITS.textChars}) AS label, uniqExact(ip, port) AS value ${where} AND banner IS NOT NULL
         GROUP BY label ORDER BY value DESC, label LIMIT ${LIMITS.banners}`,
        campaign,
      ),
      rows<{ subject: string; issuer: string; hosts: number }>(
        client,
        `SELECT substring(coalesce(cert_subject, ''), 1, ${LIMITS.textChars}) AS subject,
           substring(coalesce(cert_issuer, ''), 1, ${LIMITS.textChars}) AS issuer, uniqExact(ip, port) AS hosts
         ${where} AND cert_sha256 IS NOT NULL GROUP BY subject, issuer ORDER BY hosts DESC, subject, issuer LIMIT ${LIMITS.certNames}`,
        p,
      ),
      rows<StrippedHost>(
        client,
        `SELECT replaceRegexpOne(toString(ip), '^::ffff:', '') AS host, port, vantage,
           ifNull(toString(strip_evidence), '') AS strip_evidence,
           arrayMap(x -> toString(x), fingerprints) AS fingerprints,
           arrayMap(k -> substring(k, 1, ${LIMITS.textChars}), arraySlice(ehlo_keywords, 1, 20)) AS ehlo_keywords,
           substring(coalesce(banner, ''), 1, ${LIMITS.textChars}) AS banner
         ${where} AND outcome = 'starttls-stripped' ORDER BY ip, port, vantage LIMIT ${LIMITS.stripped}`,
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
    tlsOkHosts: Number(h.ok),
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
function withProgressNumbers(f: CampaignFacts): CampaignFacts {
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

/** Campaigns that started up to the report's campaign (and the compared one), oldest first. */
export async function loadHistory(client: ClickHouseClient, campaigns: string[], limit = 60): Promise<HistoryPoint[]> {
  const r = await rows<{ campaign: string; started_at: string; smtp: number; stripped: number; ok: number }>(
    client,
    `SELECT c.campaign AS campaign, toString(c.started_at) AS started_at, o.smtp AS smtp, o.stripped AS stripped, o.ok AS ok
     FROM (SELECT campaign, started_at FROM campaigns FINAL) AS c
     INNER JOIN (
       SELECT campaign, uniqExactIf(ip, outcome IN ${SMTP_IN}) AS smtp,
         uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped, uniqExactIf(ip, outcome = 'tls-ok') AS ok
       FROM observations GROUP BY campaign
     ) AS o ON o.campaign = c.campaign
     WHERE c.started_at <= (SELECT max(started_at) FROM campaigns FINAL WHERE campaign IN {campaigns:Array(String)})
     ORDER BY c.started_at DESC, c.campaign LIMIT ${limit}`,
    { campaigns },
  );
  return r
    .map((x) => ({
      campaign: x.campaign,
      started_at: x.started_at,
      smtpHosts: Number(x.smtp),
      strippedShare: Number(x.smtp) > 0 ? Number(x.stripped) / Number(x.smtp) : 0,
      tlsOkShare: Number(x.smtp) > 0 ? Number(x.ok) / Number(x.smtp) : 0,
    }))
    .reverse();
}

export async function loadReportData(
  client: ClickHouseClient,
  opts: { campaign: string; compare?: string | undefined; storeDescription: string; now?: Date },
): Promise<ReportData> {
  const main = await loadCampaignSummary(client, opts.campaign);
  const compare = opts.compare === undefined ? null : await loadCampaignSummary(client, opts.compare, '--compare');
  const history = await loadHistory(
    client,
    opts.compare === undefined ? [opts.campaign] : [opts.campaign, opts.compare],
  );
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
