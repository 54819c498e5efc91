/**
 * The domains dashboard's panels, expanded as Grafana and the ClickHouse
 * plugin expand them, run against a store filled by a real `stripscan
 * domains` run over the loopback test world (test/domains/fixtures/), and
 * their numbers checked against direct SQL on domain_policies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { CAMPAIGN, runDomainsOverWorld, type DomainsRun } from '../domains/fixtures/domains-run.js';
import { DOMAINS_DASHBOARD, loadDashboards, queryPanels, type Dashboard } from './dashboards.js';
import { ALL, expandGrafanaSql, type GrafanaQueryContext } from './grafana-macros.js';
import { checkShape, type JsonResult } from './panel-shape.js';

let done: DomainsRun;
let store: Store;
const dashboard = loadDashboards().find((d) => d.file === DOMAINS_DASHBOARD)?.dashboard as Dashboard;

beforeAll(async () => {
  done = await runDomainsOverWorld();
  // The world's servers are not needed once the run is stored.
  await done.world.stop();
  store = await openStore({ dataDir: done.dataDir });
}, 120_000);

afterAll(async () => {
  await store?.close();
  await done?.stop();
});

async function run(sql: string): Promise<JsonResult> {
  return (await (await store.client.query({ query: sql, format: 'JSON' })).json()) as unknown as JsonResult;
}

function context(campaign: string[]): GrafanaQueryContext {
  const now = Date.now();
  return {
    from: new Date(now - 86_400_000),
    to: new Date(now + 60_000),
    intervalMs: 3_600_000,
    variables: { campaign: { options: [CAMPAIGN], current: campaign } },
  };
}

function panelSql(title: string, ctx: GrafanaQueryContext): string {
  const panel = queryPanels(dashboard).find((p) => p.title === title);
  if (panel?.targets?.[0] === undefined) throw new Error(`no panel ${title}`);
  return expandGrafanaSql(panel.targets[0].rawSql, ctx);
}

describe('the domains dashboard against a stored domains run', () => {
  it('the run stored its rows', () => {
    expect(done.cli.code, done.cli.stderr).toBe(0);
  });

  it('the campaign variable lists the run', async () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'campaign');
    const result = await run(variable?.query ?? '');
    expect(result.data.map((r) => Object.values(r)[0])).toEqual([CAMPAIGN]);
  });

  for (const [label, chosen] of [
    ['All', [ALL]],
    ['the campaign', [CAMPAIGN]],
  ] as const) {
    it(`every panel returns its shape (${label})`, async () => {
      const ctx = context([...chosen]);
      for (const panel of queryPanels(dashboard)) {
        for (const target of panel.targets ?? []) {
          const sql = expandGrafanaSql(target.rawSql, ctx);
          expect(sql, `${panel.title}: a macro was left unexpanded`).not.toMatch(/\$__|\$\{|\$[a-z]/);
          checkShape(panel, await run(sql));
        }
      }
    });
  }

  it('verdict counts equal direct SQL', async () => {
    const panel = await run(panelSql('Verdicts by policy source', context([ALL])));
    const direct = await run(
      `SELECT toString(policy_source) AS source, toString(verdict) AS verdict, count() AS n FROM domain_policies GROUP BY source, verdict`,
    );
    const key = (r: Record<string, unknown>): string => `${String(r.source)} ${String(r.verdict)}`;
    expect(new Map(panel.data.map((r) => [key(r), Number(r.mx_addresses)]))).toEqual(
      new Map(direct.data.map((r) => [key(r), Number(r.n)])),
    );
    // The world's preload-only domains: two violated (stripped; MX not listed), one ok.
    expect(panel.data.filter((r) => r.source === 'preload').map((r) => [r.verdict, Number(r.mx_addresses)])).toEqual([
      ['policy-ok', 1],
      ['policy-violated', 2],
    ]);
  });

  it('broken promises by fingerprint count the stripped MX once per domain it serves', async () => {
    const rows = (await run(panelSql('Broken promises by fingerprint', context([CAMPAIGN])))).data;
    const masked = rows.filter((r) => r.fingerprint === 'masked-ehlo-keyword' && r.verdict === 'policy-violated');
    // enforce-stripped (MTA-STS), preload-only (the list), dane-stripped (DANE): three domains, one box.
    expect(masked.map((r) => Number(r.domains))).toEqual([3]);
  });

  it('policy adoption is a share of the domains that have MX hosts', async () => {
    const rows = (await run(panelSql('Policy adoption over time', context([ALL])))).data;
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? {};
    // 22 domains have an MX (25 less null MX, NXDOMAIN, SERVFAIL); MTA-STS enforce: enforce-stripped, enforce-ok,
    // mx-mismatch, slow, implicit (5); testing: testing-stripped (1); DANE: dane-ee, dane-ta, dane-stripped,
    // dane-bogus's MX is unusable, not DANE-protected (3); the list: three domains.
    expect(Number(row.mta_sts_enforce)).toBeCloseTo(5 / 22, 6);
    expect(Number(row.mta_sts_testing)).toBeCloseTo(1 / 22, 6);
    expect(Number(row.dane)).toBeCloseTo(3 / 22, 6);
    expect(Number(row.preload_list)).toBeCloseTo(3 / 22, 6);
  });
});
