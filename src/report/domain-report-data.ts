/**
 * The report's domains section, for a campaign run by `stripscan domains`:
 * what the domains promised and which MX addresses broke the promise, read
 * from the domains and domain_policies tables. Null for an address scan.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Count } from './report-data.js';

export interface VerdictCount {
  source: string;
  verdict: string;
  mxAddresses: number;
  domains: number;
}

export interface BrokenPromise {
  domain: string;
  mx: string;
  ip: string;
  source: string;
  mode: string;
  verdict: string;
  outcome: string;
  fingerprints: string[];
  reasons: string[];
}

export interface DomainSummary {
  domains: number;
  mxStatus: Count[];
  mtaSts: Count[];
  verdicts: VerdictCount[];
  /** Violations (enforce, DANE, preload; testing too), worst first: policy-violated before testing. */
  broken: BrokenPromise[];
}

const BROKEN_LIMIT = 50;

async function rows<T>(client: ClickHouseClient, query: string, campaign: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow', query_params: { campaign } })).json<T>();
}

export async function loadDomainSummary(client: ClickHouseClient, campaign: string): Promise<DomainSummary | null> {
  const [head] = await rows<{ n: number }>(
    client,
    'SELECT count() AS n FROM domains WHERE campaign = {campaign:String}',
    campaign,
  );
  if (head === undefined || Number(head.n) === 0) return null;
  const counts = async (query: string): Promise<Count[]> =>
    (await rows<{ label: string; value: number }>(client, query, campaign)).map((r) => ({
      label: String(r.label),
      value: Number(r.value),
    }));
  const verdicts = await rows<{ source: string; verdict: string; n: number; domains: number }>(
    client,
    `SELECT toString(policy_source) AS source, toString(verdict) AS verdict, count() AS n, uniqExact(domain) AS domains
     FROM domain_policies WHERE campaign = {campaign:String} GROUP BY source, verdict ORDER BY source, verdict`,
    campaign,
  );
  const broken = await rows<BrokenPromise>(
    client,
    `SELECT domain, mx, ifNull(host, '') AS ip, toString(policy_source) AS source, policy_mode AS mode,
       toString(verdict) AS verdict, ifNull(outcome, '') AS outcome, fingerprints, reasons
     FROM domain_policies
     WHERE campaign = {campaign:String} AND verdict IN ('policy-violated', 'policy-testing-violated')
     ORDER BY verdict = 'policy-violated' DESC, domain, mx, domain_policies.ip LIMIT ${BROKEN_LIMIT}`,
    campaign,
  );
  return {
    domains: Number(head.n),
    mxStatus: await counts(
      `SELECT toString(mx_status) AS label, count() AS value FROM domains WHERE campaign = {campaign:String} GROUP BY label ORDER BY value DESC, label`,
    ),
    mtaSts: await counts(
      `SELECT toString(mta_sts_status) AS label, count() AS value FROM domains WHERE campaign = {campaign:String} GROUP BY label ORDER BY value DESC, label`,
    ),
    verdicts: verdicts.map((v) => ({
      source: v.source,
      verdict: v.verdict,
      mxAddresses: Number(v.n),
      domains: Number(v.domains),
    })),
    broken,
  };
}
