/** The committed dashboards are importable Grafana JSON wired to the ClickHouse plugin through one variable. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS_DIR, loadDashboards, queryPanels } from './dashboards.js';

const PLUGIN = 'grafana-clickhouse-datasource';
const dashboards = loadDashboards();

describe('dashboard JSON', () => {
  it('has the overview, the campaigns and the domains dashboards', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'stripscan-campaigns',
      'stripscan-domains',
      'stripscan-overview',
    ]);
  });

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      it('chooses its data source by a datasource variable of the ClickHouse plugin type', () => {
        const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
        expect(ds).toMatchObject({ type: 'datasource', query: PLUGIN });
        for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
          expect(v.datasource).toEqual({ type: PLUGIN, uid: '${datasource}' });
          expect(v).toMatchObject({ multi: true, includeAll: true });
        }
      });

      it('has panels with unique ids inside the 24-column grid, each querying through the variable', () => {
        const ids = dashboard.panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const p of dashboard.panels) {
          expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        }
        const panels = queryPanels(dashboard);
        expect(panels.length).toBeGreaterThan(4);
        for (const p of panels) {
          expect(p.datasource, p.title).toEqual({ type: PLUGIN, uid: '${datasource}' });
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          for (const t of p.targets ?? []) {
            expect(t).toMatchObject({ editorType: 'sql', datasource: { type: PLUGIN, uid: '${datasource}' } });
            expect(t.format, p.title).toBe(p.type === 'timeseries' ? 0 : 1);
            // Every query honours the campaign selection.
            expect(t.rawSql, p.title).toContain('$__conditionalAll(');
            expect(t.rawSql, p.title).toMatch(/campaign IN \(\$\{campaign\}\), \$campaign\)/);
          }
        }
      });
    });
  }

  it('the overview filters by campaign, port, vantage and country, and reads the rollup where it can', () => {
    const overview = dashboards.find((d) => d.dashboard.uid === 'stripscan-overview')?.dashboard;
    expect(overview?.templating.list.map((v) => v.name)).toEqual([
      'datasource',
      'campaign',
      'port',
      'vantage',
      'country',
    ]);
    const panels = queryPanels(overview!);
    for (const p of panels) {
      for (const name of ['port', 'vantage', 'country']) expect(p.targets?.[0]?.rawSql, p.title).toContain(`$${name})`);
    }
    const rollup = panels.filter((p) => p.targets?.[0]?.rawSql.includes('FROM observations_daily'));
    expect(rollup.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'STARTTLS stripped',
        'Stripping prevalence by fingerprint',
        'STARTTLS adoption',
        'Top ASNs by stripping',
        'Countries by stripping',
      ]),
    );
  });

  it('the campaigns dashboard has the variables README promises, and every panel honours them', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    // README, Grafana: "template variables for data source, campaign, port, vantage and country".
    const promised = /template variables for data source, ([a-z, ]+?) and (\w+)\./.exec(readme.replace(/\s+/g, ' '));
    const names = [...(promised?.[1]?.split(', ') ?? []), promised?.[2]];
    expect(names).toEqual(['campaign', 'port', 'vantage', 'country']);
    const campaigns = dashboards.find((d) => d.dashboard.uid === 'stripscan-campaigns')?.dashboard;
    expect(campaigns?.templating.list.map((v) => v.name)).toEqual(['datasource', ...names]);
    for (const p of queryPanels(campaigns!)) {
      for (const name of names) expect(p.targets?.[0]?.rawSql, p.title).toContain(`$${name})`);
    }
  });

  it('the provisioning files name the plugin, defaultDatabase and a secure password from the environment', () => {
    const ds = readFileSync(DASHBOARDS_DIR + 'provisioning/datasources/clickhouse.yaml', 'utf8');
    expect(ds).toMatch(/^\s+type: grafana-clickhouse-datasource$/m);
    expect(ds).toMatch(/^\s+defaultDatabase: \$\{STRIPSCAN_CH_DATABASE\}$/m);
    expect(ds).toMatch(/^\s+secureJsonData:\n\s+password: \$\{STRIPSCAN_CH_GRAFANA_PASSWORD\}$/m);
    expect(ds).not.toMatch(/^\s+database:/m);
    const dash = readFileSync(DASHBOARDS_DIR + 'provisioning/dashboards/stripscan.yaml', 'utf8');
    expect(dash).toMatch(/^\s+type: file$/m);
    expect(dash).toMatch(/^\s+path: \S+$/m);
  });
});
