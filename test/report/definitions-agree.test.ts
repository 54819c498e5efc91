/**
 * One definition of "SMTP hosts", "TLS hosts" and "stripped" (migrations/0009_definitions.sql)
 * behind every saved query, dashboard panel and report figure: on the same scanned campaigns
 * they all give the counts that the scan's own records give, counted here in TypeScript from
 * the JSON lines the scan wrote — not from SQL.
 *
 *   SMTP host: the outcome is one of SMTP_OUTCOMES (src/record.ts, docs/classification.md);
 *   TLS host:  an SMTP host whose TLS handshake completed (tls_version set), whatever the certificate;
 *   stripped:  outcome starttls-stripped.
 * A host is an address; it counts when any of its records in the selection qualifies.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_OUTCOMES, type ScanRecord } from '../../src/record.js';
import { loadCampaignSummary, loadHistory } from '../../src/report/index.js';
import { findSavedQuery, listSavedQueries } from '../../src/store/saved-queries.js';
import { loadDashboards, queryPanels, type Dashboard } from '../dashboards/dashboards.js';
import { ALL, expandGrafanaSql, type GrafanaQueryContext } from '../dashboards/grafana-macros.js';
import { openScannedStore, HOSTILE_HOST, type ScannedStore } from '../dashboards/scanned-store.js';

type Row = Record<string, unknown>;

let scanned: ScannedStore;
let records: ScanRecord[];

beforeAll(async () => {
  scanned = await openScannedStore();
  records = readFileSync(scanned.jsonlFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ScanRecord);
}, 180_000);

afterAll(async () => {
  await scanned?.cleanup();
});

const SMTP = new Set<string>(SMTP_OUTCOMES);

/** The ASN file of scanned-store.ts: .0–.63 in TN, the rest of 127.20.0.0/24 in DE. */
const countryOf = (ip: string): string => (Number(ip.split('.')[3]) < 64 ? 'TN' : 'DE');

interface Expected {
  smtp: Set<string>;
  tls: Set<string>;
  stripped: Set<string>;
  byVersion: Map<string, Set<string>>;
  byCertStatus: Map<string, Set<string>>;
  byCountry: Map<string, { smtp: Set<string>; stripped: Set<string> }>;
}

function add<K>(map: Map<K, Set<string>>, key: K, ip: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(ip);
  map.set(key, set);
}

function expected(campaign: string): Expected {
  const e: Expected = {
    smtp: new Set(),
    tls: new Set(),
    stripped: new Set(),
    byVersion: new Map(),
    byCertStatus: new Map(),
    byCountry: new Map(),
  };
  for (const r of records.filter((x) => x.campaign === campaign)) {
    const smtp = SMTP.has(r.outcome);
    const place = e.byCountry.get(countryOf(r.ip)) ?? { smtp: new Set<string>(), stripped: new Set<string>() };
    e.byCountry.set(countryOf(r.ip), place);
    if (smtp) {
      e.smtp.add(r.ip);
      place.smtp.add(r.ip);
    }
    if (r.outcome === 'starttls-stripped') {
      e.stripped.add(r.ip);
      place.stripped.add(r.ip);
    }
    if (smtp && r.tls_version !== null) {
      e.tls.add(r.ip);
      add(e.byVersion, r.tls_version, r.ip);
      add(e.byCertStatus, r.cert_status ?? '(no certificate)', r.ip);
    }
  }
  return e;
}

const sizes = (m: Map<string, Set<string>>): Record<string, number> =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.size]));

const pairs = (rows: Row[], key: string, value: string): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [String(r[key]), Number(r[value])]));

async function sql(query: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  return (await scanned.store.client.query({ query, format: 'JSONEachRow', query_params: params })).json<Row>();
}

async function saved(name: string, campaign: string): Promise<Row[]> {
  return sql(findSavedQuery(name).sql, { campaign });
}

const overview = loadDashboards().find((d) => d.dashboard.uid === 'stripscan-overview')?.dashboard as Dashboard;

/** The overview with one campaign chosen and every other variable on All, as Grafana would expand it. */
async function panel(title: string, campaign: string): Promise<Row[]> {
  const ctx: GrafanaQueryContext = { from: scanned.from, to: scanned.to, intervalMs: 1000, variables: {} };
  for (const v of overview.templating.list.filter((x) => x.type === 'query')) {
    const options = (await sql(expandGrafanaSql(v.query, ctx))).map((r) => String(Object.values(r)[0]));
    ctx.variables[v.name] = { options, current: v.name === 'campaign' ? [campaign] : [ALL] };
  }
  const target = queryPanels(overview).find((p) => p.title === title)?.targets?.[0];
  if (target === undefined) throw new Error(`no panel ${title}`);
  return sql(expandGrafanaSql(target.rawSql, ctx));
}

describe('SMTP hosts, TLS hosts and stripped hosts: one definition everywhere', () => {
  it('the scans hold every kind of host the definitions separate', () => {
    const alpha = expected('alpha');
    // A stripped host whose hidden STARTTLS completed a handshake is both stripped and a TLS host.
    expect([...alpha.stripped].some((ip) => alpha.tls.has(ip))).toBe(true);
    // TLS hosts with bad certificates count as TLS hosts.
    expect([...alpha.byCertStatus.keys()].some((s) => s !== 'valid')).toBe(true);
    // And a TLS host is not always one with outcome tls-ok: the old `outcome = 'tls-ok'` count differs.
    const tlsOk = new Set(records.filter((r) => r.campaign === 'alpha' && r.outcome === 'tls-ok').map((r) => r.ip));
    expect(tlsOk.size).not.toBe(alpha.tls.size);
    expect(alpha.stripped.has(HOSTILE_HOST)).toBe(true);
  });

  for (const campaign of ['alpha', 'beta']) {
    describe(campaign, () => {
      it('saved queries', async () => {
        const e = expected(campaign);
        const [adoption] = await saved('starttls-adoption', campaign);
        expect(adoption).toMatchObject({
          smtp_hosts: e.smtp.size,
          tls_hosts: e.tls.size,
          stripped_hosts: e.stripped.size,
        });
        expect(pairs(await saved('tls-versions', campaign), 'tls_version', 'hosts')).toEqual(sizes(e.byVersion));
        expect(pairs(await saved('cert-status', campaign), 'cert_status', 'hosts')).toEqual(sizes(e.byCertStatus));
        const byDay = await saved('stripping-by-day', campaign);
        expect(byDay.map((r) => [Number(r.smtp_hosts), Number(r.stripped_hosts)])).toEqual([
          [e.smtp.size, e.stripped.size],
        ]);
        const byCountry = await saved('stripping-by-country', campaign);
        expect(byCountry.map((r) => [r.country, Number(r.smtp_hosts), Number(r.stripped_hosts)]).sort()).toEqual(
          [...e.byCountry].map(([c, v]) => [c, v.smtp.size, v.stripped.size]).sort(),
        );
        const evidence = await saved('stripping-by-evidence', campaign);
        expect(new Set(evidence.map((r) => Number(r.smtp_hosts)))).toEqual(new Set([e.smtp.size]));
      });

      it('dashboard panels (overview, this campaign, all else on All)', async () => {
        const e = expected(campaign);
        expect(Number((await panel('SMTP hosts', campaign))[0]?.smtp_hosts)).toBe(e.smtp.size);
        expect(Number((await panel('STARTTLS stripped', campaign))[0]?.stripped_share)).toBeCloseTo(
          e.stripped.size / e.smtp.size,
          12,
        );
        const [hosts] = await panel('SMTP, TLS and stripped hosts per campaign', campaign);
        expect(hosts).toMatchObject({
          campaign,
          smtp_hosts: e.smtp.size,
          tls_hosts: e.tls.size,
          stripped_hosts: e.stripped.size,
        });
        expect(pairs(await panel('TLS versions (hosts)', campaign), 'version', 'hosts')).toEqual(sizes(e.byVersion));
        expect(pairs(await panel('Certificate status', campaign), 'status', 'hosts')).toEqual(sizes(e.byCertStatus));
        const countries = await panel('Countries by stripping', campaign);
        expect(countries.map((r) => [r.country, Number(r.smtp_hosts), Number(r.stripped_hosts)]).sort()).toEqual(
          [...e.byCountry].map(([c, v]) => [c, v.smtp.size, v.stripped.size]).sort(),
        );
      });

      it('the report', async () => {
        const e = expected(campaign);
        const s = await loadCampaignSummary(scanned.store.client, campaign);
        expect([s.smtpHosts, s.tlsHosts, s.strippedHosts]).toEqual([e.smtp.size, e.tls.size, e.stripped.size]);
        expect(Object.fromEntries(s.tlsVersions.map((c) => [c.label, c.value]))).toEqual(sizes(e.byVersion));
        expect(Object.fromEntries(s.certStatus.map((c) => [c.label, c.value]))).toEqual(sizes(e.byCertStatus));
        expect(s.countries.map((r) => [r.key, r.smtp_hosts, r.stripped_hosts]).sort()).toEqual(
          [...e.byCountry].map(([c, v]) => [c, v.smtp.size, v.stripped.size]).sort(),
        );
        const history = await loadHistory(scanned.store.client, { campaign: 'beta' });
        const point = history.points.find((p) => p.campaign === campaign);
        expect(point?.smtpHosts).toBe(e.smtp.size);
        expect(point?.strippedShare).toBeCloseTo(e.stripped.size / e.smtp.size, 12);
        expect(point?.tlsShare).toBeCloseTo(e.tls.size / e.smtp.size, 12);
      });
    });
  }

  it('nothing defines the words again: no saved query, panel or report query spells them out', () => {
    const texts: [string, string][] = [
      ...listSavedQueries().map((q): [string, string] => [`queries/${q.name}.sql`, q.sql]),
      ...loadDashboards().flatMap(({ file, dashboard }) =>
        queryPanels(dashboard).flatMap((p) =>
          (p.targets ?? []).map((t): [string, string] => [`${file}: ${p.title}`, t.rawSql]),
        ),
      ),
      ...['report-data.ts', 'render-report.ts'].map((f): [string, string] => [
        `src/report/${f}`,
        readFileSync(new URL(`../../src/report/${f}`, import.meta.url), 'utf8'),
      ]),
    ];
    for (const [where, text] of texts) {
      expect(text, where).not.toMatch(/outcome\s+(NOT\s+)?IN\s*\(\s*'(smtp-rejected|connect-refused)/i);
      expect(text, where).not.toMatch(/outcome\s*=\s*'starttls-stripped'/i);
      expect(text, where).not.toMatch(/tls_version\s+IS\s+NOT\s+NULL/i);
      expect(text, where).not.toMatch(/\^::ffff:/);
    }
  });
});
