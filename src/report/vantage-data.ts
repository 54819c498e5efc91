/**
 * The report's vantage-point section, read from the `vantage_comparison` and
 * `vantage_reach` views (migration 0010, docs/schema.md): verdict counts,
 * what each vantage could reach, and the path-dependent hosts with each
 * vantage's latest transcript, for reading side by side.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface VantageReach {
  vantage: string;
  attempted: number;
  responsive: number;
  /** Never accepted a connection: no observation row from this vantage. */
  unreachable: number;
  noBanner: number;
  timeouts: number;
}

export interface VantageView {
  vantage: string;
  outcome: string;
  fingerprints: string[];
  strip_evidence: string;
  /** The probe's transcript, escaped by the probe and cut to TRANSCRIPT_CHARS; '' without a row. */
  transcript: string;
}

export interface PathDependentHost {
  host: string;
  port: number;
  views: VantageView[];
}

export interface VantageSection {
  vantages: string[];
  reach: VantageReach[];
  /** Hosts per verdict: path-dependent, consistent, inconclusive. */
  verdicts: { verdict: string; hosts: number }[];
  pathDependentTotal: number;
  /** The first PATH_DEPENDENT_SHOWN path-dependent hosts, by address. */
  pathDependent: PathDependentHost[];
}

/** A report is read by people: a few hosts in full beat thousands in part. */
export const PATH_DEPENDENT_SHOWN = 20;
export const TRANSCRIPT_CHARS = 4000;

async function rows<T>(client: ClickHouseClient, query: string, campaign: string): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow', query_params: { campaign } });
  return rs.json<T>();
}

/** Null when the campaign was seen from fewer than two vantage points (nothing to compare). */
export async function loadVantageSection(client: ClickHouseClient, campaign: string): Promise<VantageSection | null> {
  // The view aggregates the whole campaign before it can drop a single-vantage one: ask the cheap question first.
  const [seenFrom] = await rows<{ vantages: number }>(
    client,
    `SELECT uniqExact(vantage) AS vantages FROM (
       SELECT vantage FROM job_stats FINAL WHERE campaign = {campaign:String}
       UNION ALL SELECT DISTINCT vantage FROM observations WHERE campaign = {campaign:String})`,
    campaign,
  );
  if (Number(seenFrom?.vantages ?? 0) < 2) return null;
  const verdicts = await rows<{ verdict: string; hosts: number; vantages: string[] }>(
    client,
    `SELECT verdict, count() AS hosts, any(vantages) AS vantages FROM vantage_comparison
     WHERE campaign = {campaign:String} GROUP BY verdict ORDER BY verdict`,
    campaign,
  );
  if (verdicts.length === 0) return null;
  const [reach, hosts] = await Promise.all([
    rows<Record<string, string | number>>(
      client,
      `SELECT vantage, attempted, responsive, unreachable, no_banner, timeouts FROM vantage_reach
       WHERE campaign = {campaign:String} ORDER BY vantage`,
      campaign,
    ),
    rows<{
      host: string;
      port: number;
      vantages: string[];
      outcomes: string[];
      fingerprints: string[][];
      strip_evidence: string[];
    }>(
      client,
      `SELECT host, port, vantages, outcomes, fingerprints, strip_evidence FROM vantage_comparison
       WHERE campaign = {campaign:String} AND verdict = 'path-dependent' ORDER BY ip, port LIMIT ${PATH_DEPENDENT_SHOWN}`,
      campaign,
    ),
  ]);
  const transcripts = await rows<{ host: string; port: number; vantage: string; transcript: string }>(
    client,
    `SELECT host, port, vantage,
       substring(argMax(transcript, ts), 1, ${TRANSCRIPT_CHARS}) AS transcript
     FROM observations
     WHERE campaign = {campaign:String}
       AND (ip, port) IN (SELECT ip, port FROM vantage_comparison
                          WHERE campaign = {campaign:String} AND verdict = 'path-dependent'
                          ORDER BY ip, port LIMIT ${PATH_DEPENDENT_SHOWN})
     GROUP BY ip, host, port, vantage`,
    campaign,
  );
  const transcriptOf = new Map(transcripts.map((t) => [`${t.host}|${Number(t.port)}|${t.vantage}`, t.transcript]));
  return {
    vantages: verdicts[0]?.vantages ?? [],
    reach: reach.map((r) => ({
      vantage: String(r.vantage),
      attempted: Number(r.attempted),
      responsive: Number(r.responsive),
      unreachable: Number(r.unreachable),
      noBanner: Number(r.no_banner),
      timeouts: Number(r.timeouts),
    })),
    verdicts: verdicts.map((v) => ({ verdict: v.verdict, hosts: Number(v.hosts) })),
    pathDependentTotal: Number(verdicts.find((v) => v.verdict === 'path-dependent')?.hosts ?? 0),
    pathDependent: hosts.map((h) => ({
      host: h.host,
      port: Number(h.port),
      views: h.vantages.map((vantage, i) => ({
        vantage,
        outcome: h.outcomes[i] ?? '',
        fingerprints: h.fingerprints[i] ?? [],
        strip_evidence: h.strip_evidence[i] ?? '',
        transcript: transcriptOf.get(`${h.host}|${Number(h.port)}|${vantage}`) ?? '',
      })),
    })),
  };
}
