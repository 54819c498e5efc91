/**
 * Every panel query of every dashboard, expanded as Grafana and the ClickHouse
 * plugin expand it, runs against a store filled by real scans of the simulated
 * fleet, and returns what its panel type needs. A few numbers are checked
 * against direct SQL on the observations table; the vantage verdicts against
 * the scan's own records (the JSON lines it wrote), by docs/schema.md's rules.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { isResponsive } from '../../src/scan/chunk-stats.js';
import { verdictOf } from '../queue/vantage-expectations.js';
import { DOMAINS_DASHBOARD, loadDashboards, queryPanels, type Dashboard } from './dashboards.js';
import { ALL, expandGrafanaSql, type GrafanaQueryContext, type TemplateVariable } from './grafana-macros.js';
import { checkShape, type JsonResult } from './panel-shape.js';
import { openScannedStore, SCANS, type ScannedStore } from './scanned-store.js';

const SMTP_OUTCOMES =
  "('smtp-rejected','ehlo-failed','no-starttls','starttls-stripped','starttls-refused','tls-failed','tls-ok','timeout')";

let scanned: ScannedStore;
// The domains dashboard reads the tables `stripscan domains` fills: domain-panels.test.ts runs it on those.
const dashboards = loadDashboards().filter((d) => d.file !== DOMAINS_DASHBOARD);

beforeAll(async () => {
  scanned = await openScannedStore();
}, 120_000);

afterAll(async () => {
  await scanned?.cleanup();
});

async function run(sql: string): Promise<JsonResult> {
  const rs = await scanned.store.client.query({ query: sql, format: 'JSON' });
  return (await rs.json()) as unknown as JsonResult;
}

/** Options of every query variable, from its own query (as Grafana loads them), all set to "All" unless chosen. */
async function contextFor(d: Dashboard, chosen: Record<string, string[]> = {}): Promise<GrafanaQueryContext> {
  const base: GrafanaQueryContext = { from: scanned.from, to: scanned.to, intervalMs: 1000, variables: {} };
  const variables: Record<string, TemplateVariable> = {};
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const result = await run(expandGrafanaSql(v.query, base));
    const options = result.data.map((row) => String(Object.values(row)[0]));
    variables[v.name] = { options, current: chosen[v.name] ?? [ALL] };
  }
  return { ...base, variables };
}

async function panelResult(d: Dashboard, title: string, ctx: GrafanaQueryContext): Promise<JsonResult> {
  const panel = queryPanels(d).find((p) => p.title === title);
  if (panel?.targets?.[0] === undefined) throw new Error(`no panel ${title} in ${d.uid}`);
  return run(expandGrafanaSql(panel.targets[0].rawSql, ctx));
}

async function direct<T>(sql: string): Promise<T> {
  const rows = await (await scanned.store.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  return rows[0] as T;
}

const overview = dashboards.find((d) => d.dashboard.uid === 'stripscan-overview')?.dashboard as Dashboard;
const campaigns = dashboards.find((d) => d.dashboard.uid === 'stripscan-campaigns')?.dashboard as Dashboard;

describe('dashboard panel queries against scanned data', () => {
  it('the variables list what was scanned', async () => {
    const ctx = await contextFor(overview);
    expect(ctx.variables.campaign?.options.sort()).toEqual(['alpha', 'beta']);
    expect(ctx.variables.vantage?.options.sort()).toEqual(['vp-a', 'vp-b']);
    expect(ctx.variables.port?.options).toEqual([String(scanned.port)]);
    expect(ctx.variables.country?.options).toEqual(['DE', 'TN']);
  });

  for (const { file, dashboard } of dashboards) {
    const selections: Record<string, Record<string, string[]>> = {
      'all variables on All': {},
      'one campaign, one vantage, one country, the port': { campaign: ['alpha'], vantage: ['vp-a'], country: ['TN'] },
      'two campaigns chosen': { campaign: ['alpha', 'beta'], vantage: ['vp-a', 'vp-b'] },
    };
    for (const [label, chosen] of Object.entries(selections)) {
      it(`${file}: every panel returns its shape (${label})`, async () => {
        const ctx = await contextFor(dashboard, chosen);
        if (ctx.variables.port !== undefined && label.includes('the port'))
          ctx.variables.port.current = [String(scanned.port)];
        for (const panel of queryPanels(dashboard)) {
          for (const target of panel.targets ?? []) {
            const sql = expandGrafanaSql(target.rawSql, ctx);
            expect(sql, `${panel.title}: a macro was left unexpanded`).not.toMatch(/\$__|\$\{|\$[a-z]/);
            checkShape(panel, await run(sql));
          }
        }
      });
    }
  }

  it('the stripping share and SMTP hosts equal direct SQL on observations', async () => {
    const ctx = await contextFor(overview, { campaign: ['beta'] });
    const share = Number((await panelResult(overview, 'STARTTLS stripped', ctx)).data[0]?.stripped_share);
    const smtp = Number((await panelResult(overview, 'SMTP hosts', ctx)).data[0]?.smtp_hosts);
    const truth = await direct<{ stripped: number; smtp: number }>(
      `SELECT uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped, uniqExactIf(ip, outcome IN ${SMTP_OUTCOMES}) AS smtp
       FROM observations WHERE campaign = 'beta'`,
    );
    // beta has one probe per host: the distinct counts are plain counts.
    const counts = await direct<{ stripped: number; smtp: number }>(
      `SELECT countIf(outcome = 'starttls-stripped') AS stripped, countIf(outcome IN ${SMTP_OUTCOMES}) AS smtp
       FROM observations WHERE campaign = 'beta'`,
    );
    expect(counts).toEqual(truth);
    expect(truth.stripped).toBeGreaterThan(0);
    expect(smtp).toBe(truth.smtp);
    expect(share).toBeCloseTo(truth.stripped / truth.smtp, 12);

    const series = await panelResult(overview, 'Stripping prevalence by fingerprint', ctx);
    const any = series.data.find((r) => r.fingerprint === 'any');
    expect(Number(any?.share)).toBeCloseTo(share, 12);
  });

  it('the country table counts the hosts of each country', async () => {
    const ctx = await contextFor(overview);
    const table = await panelResult(overview, 'Countries by stripping', ctx);
    const truth = await (
      await scanned.store.client.query({
        query: `SELECT country, uniqExact(ip) AS smtp_hosts FROM observations WHERE outcome IN ${SMTP_OUTCOMES} GROUP BY country ORDER BY country`,
        format: 'JSONEachRow',
      })
    ).json<{ country: string; smtp_hosts: number }>();
    const got = table.data
      .map((r) => ({ country: String(r.country), smtp_hosts: Number(r.smtp_hosts) }))
      .sort((a, b) => a.country.localeCompare(b.country));
    expect(got).toEqual(truth);
    expect(got.map((r) => r.country)).toEqual(['DE', 'TN']);
  });

  it('vantage disagreement counts path-dependent, inconclusive and consistent hosts as the records give them', async () => {
    const records = scannedRecords();
    const hosts = hostsOfCampaign(records, 'alpha');
    const counts = (only: (ip: string) => boolean = () => true) => {
      const mine = [...hosts.values()].filter((h) => only(h.ip));
      const n = (verdict: string) => mine.filter((h) => h.verdict === verdict).length;
      return {
        path_dependent: n('path-dependent'),
        inconclusive: n('inconclusive'),
        consistent: n('consistent'),
        multi_vantage_hosts: mine.length,
      };
    };
    const statOf = async (chosen: Record<string, string[]>) => {
      const row = (await panelResult(overview, 'Vantage disagreement', await contextFor(overview, chosen))).data[0];
      return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
    };
    const all = counts();
    // Every verdict occurs, and some hosts whose outcomes differ are not path-dependent (a timeout, a
    // host one vantage could not reach): the panel must not count those as disagreement.
    expect(all.path_dependent).toBeGreaterThan(0);
    expect(all.consistent).toBeGreaterThan(0);
    const differing = [...hosts.values()].filter((h) => new Set(h.outcomes).size > 1);
    expect(differing.length).toBeGreaterThan(all.path_dependent);
    expect(await statOf({ campaign: ['alpha'] })).toEqual(all);
    // beta was seen from one vantage: nothing to compare, so All campaigns is alpha; vp-a ran alpha.
    expect(await statOf({})).toEqual(all);
    expect(await statOf({ vantage: ['vp-a'] })).toEqual(all);
    // Country narrows to the hosts observed there (.0–.63 is TN, scanned-store.ts); a port nobody scanned to none.
    const tn = counts((ip) => Number(ip.split('.')[3]) < 64);
    expect(tn.multi_vantage_hosts).toBeGreaterThan(0);
    expect(tn.multi_vantage_hosts).toBeLessThan(all.multi_vantage_hosts);
    expect(await statOf({ campaign: ['alpha'], country: ['TN'] })).toEqual(tn);
    expect((await statOf({ port: ['1'] })).multi_vantage_hosts).toBe(0);

    const table = await panelResult(overview, 'Hosts on which vantage points disagree', await contextFor(overview));
    const expectedRows = [...hosts.values()]
      .filter((h) => h.verdict === 'path-dependent')
      .map((h) => ({
        campaign: 'alpha',
        host: h.ip,
        port: scanned.port,
        negotiated_from: h.vantages.filter((_, i) => h.outcomes[i] === 'tls-ok').join(', '),
        seen: h.vantages
          .map((v, i) => `${v}: ${h.outcomes[i]}${h.evidence[i] ? ` (${h.evidence[i]})` : ''}`)
          .join(', '),
      }));
    expect(table.data.map((r) => ({ ...r, port: Number(r.port) }))).toEqual(expectedRows);
  });

  it('the campaigns dashboard: port and country list what was scanned, and narrow every panel', async () => {
    const ctx = await contextFor(campaigns);
    expect(ctx.variables.port?.options).toEqual([String(scanned.port)]);
    expect(ctx.variables.country?.options).toEqual(['DE', 'TN']);
    const all = await panelResult(campaigns, 'Outcomes reported by jobs', ctx);
    const scannedPort = await contextFor(campaigns, { port: [String(scanned.port)], country: ['TN'] });
    expect((await panelResult(campaigns, 'Outcomes reported by jobs', scannedPort)).data).toEqual(all.data);
    // A port no campaign scanned, or a country no campaign saw: nothing, in every panel.
    const nothing: Record<string, string[]>[] = [{ port: ['1'] }, { country: ['ZZ'] }];
    for (const chosen of nothing) {
      const none = await contextFor(campaigns, chosen);
      for (const panel of queryPanels(campaigns)) {
        const result = await panelResult(campaigns, panel.title, none);
        const values = result.data.flatMap((r) =>
          Object.values(r).filter((v) => typeof v === 'number' || /^\d+$/.test(String(v))),
        );
        expect(
          result.data.length === 0 || values.every((v) => Number(v) === 0 || v === null),
          `${panel.title} with ${JSON.stringify(chosen)}`,
        ).toBe(true);
      }
    }
  });

  it('the campaign dashboard counts every attempted address, connect failures included', async () => {
    const ctx = await contextFor(campaigns);
    const outcomes = await panelResult(campaigns, 'Outcomes reported by jobs', ctx);
    const total = outcomes.data.reduce((sum, r) => sum + Number(r.probes), 0);
    // 128 fleet addresses per scan, and the hostile scripted host in alpha from vp-a.
    expect(total).toBe(SCANS.length * 128 + 1);
    const perVantage = await panelResult(campaigns, 'Throughput per vantage point', ctx);
    expect(perVantage.data.map((r) => [r.vantage, Number(r.addresses)])).toEqual([
      ['vp-a', 257],
      ['vp-b', 128],
    ]);
    const table = await panelResult(campaigns, 'Campaigns', ctx);
    expect(table.data.map((r) => r.campaign).sort()).toEqual(['alpha', 'beta']);
  });
});

function scannedRecords(): ScanRecord[] {
  return readFileSync(scanned.jsonlFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ScanRecord);
}

interface ComparedHost {
  ip: string;
  vantages: string[];
  /** Aligned with vantages: the latest record's outcome, 'no-record' where none was stored (connect failed). */
  outcomes: string[];
  evidence: string[];
  verdict: string;
}

/**
 * Each host of a campaign seen from two or more vantages, compared from the scan's own records
 * (docs/schema.md's verdict rules, vantage-expectations.ts), in address order. Only responsive
 * records are stored, so a host is one some vantage reached.
 */
function hostsOfCampaign(records: ScanRecord[], campaign: string): Map<string, ComparedHost> {
  const mine = records.filter((r) => r.campaign === campaign);
  const vantages = [...new Set(mine.map((r) => r.vantage))].sort();
  const latest = new Map<string, ScanRecord>();
  for (const r of mine) if (isResponsive(r)) latest.set(`${r.ip}|${r.vantage}`, r);
  const ips = [...new Set(mine.filter(isResponsive).map((r) => r.ip))].sort(
    (x, y) => Number(x.split('.')[3]) - Number(y.split('.')[3]),
  );
  const out = new Map<string, ComparedHost>();
  if (vantages.length < 2) return out;
  for (const ip of ips) {
    const seen = vantages.map((v) => latest.get(`${ip}|${v}`));
    const outcomes = seen.map((r) => r?.outcome ?? 'no-record');
    out.set(ip, {
      ip,
      vantages,
      outcomes,
      evidence: seen.map((r) => r?.strip_evidence ?? ''),
      verdict: verdictOf(outcomes),
    });
  }
  return out;
}
