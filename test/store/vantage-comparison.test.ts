/**
 * Disagreement between vantage points, end to end: the real `stripscan scan`
 * probes real loopback SMTP servers into one chDB store, twice into the same
 * campaign under two vantage labels, the servers changed between the scans as
 * a path-dependent box would change them. Every expected verdict below comes
 * from what the test made each server do (docs/classification.md's outcome
 * for that exchange, and the verdict rules of docs/schema.md), never from the
 * view's SQL. The view, the saved query, the campaigns dashboard's panel
 * (macros expanded as Grafana does) and the report's section must all name
 * exactly the expected hosts; the same for outcome transitions between two
 * campaigns over the same targets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../report/headless-chromium.js';
import { loadReportData, renderReport } from '../../src/report/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { findSavedQuery } from '../../src/store/saved-queries.js';
import { loadDashboards, queryPanels } from '../dashboards/dashboards.js';
import { ALL, expandGrafanaSql, type GrafanaQueryContext } from '../dashboards/grafana-macros.js';
import { closedPort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-smtp-server.js';
import { makeCa, makeLeaf } from '../helpers/test-pki.js';

const BANNER = '220 mx.example.test ESMTP\r\n';
const EHLO_TLS = '250-mx.example.test\r\n250-8BITMIME\r\n250 STARTTLS\r\n';
const EHLO_PLAIN = '250-mx.example.test\r\n250 8BITMIME\r\n';
// Cisco ASA ESMTP inspection (FIELD-NOTES §1): STARTTLS masked as XXXXXXXA.
const EHLO_MASKED = '250-mx.example.test\r\n250-8BITMIME\r\n250 XXXXXXXA\r\n';
const READY = '220 2.0.0 Ready to start TLS\r\n';
const LONG_WORD = 'W'.repeat(400);

type Behaviour = (tls: { trusted: SecureContext; selfSigned: SecureContext }) => Script | null;

const tlsOk =
  (which: 'trusted' | 'selfSigned' = 'trusted'): Behaviour =>
  (tls) => ({ banner: BANNER, replies: { EHLO: EHLO_TLS, STARTTLS: READY }, tls: tls[which] });
const plain =
  (ehlo: string, starttls: string, banner = BANNER): Behaviour =>
  () => ({ banner, replies: { EHLO: ehlo, STARTTLS: starttls } });
const nothing: Behaviour = () => null;

interface HostCase {
  last: number;
  /** What the server does for vantage va's scan (and campaign t1), and for vb's scan (and campaign t2). */
  a: Behaviour;
  b: Behaviour;
  /** Outcomes by docs/classification.md for what each server does; 'no-record' where the connect fails. */
  outcomeA: string;
  outcomeB: string;
  verdict: 'path-dependent' | 'consistent' | 'inconclusive';
}

const HOSTS: HostCase[] = [
  // The same TLS server both times.
  { last: 1, a: tlsOk(), b: tlsOk(), outcomeA: 'tls-ok', outcomeB: 'tls-ok', verdict: 'consistent' },
  // b: STARTTLS line deleted; the forced STARTTLS drew an unknown-command reply, no mask, no echo: rule 14.
  {
    last: 2,
    a: tlsOk(),
    // A 400-character word in the banner: the report must wrap it inside its transcript column.
    b: plain(EHLO_PLAIN, '500 5.5.2 Error: command not recognized\r\n', `220 mx.example.test ESMTP ${LONG_WORD}\r\n`),
    outcomeA: 'tls-ok',
    outcomeB: 'no-starttls',
    verdict: 'path-dependent',
  },
  // b: masked keyword and our STARTTLS echoed as XXXXXXXX (aiosmtpd style): corrupted echo, direct evidence.
  {
    last: 3,
    a: tlsOk(),
    b: plain(EHLO_MASKED, '500 Error: command "XXXXXXXX" not recognized\r\n'),
    outcomeA: 'tls-ok',
    outcomeB: 'starttls-stripped',
    verdict: 'path-dependent',
  },
  // b: advertised, then 454 (a box answering for the server); the banner carries markup the report must escape.
  {
    last: 4,
    a: tlsOk(),
    b: plain(EHLO_TLS, '454 4.7.0 TLS not available\r\n', '220 <b>mx</b>.example.test ESMTP\r\n'),
    outcomeA: 'tls-ok',
    outcomeB: 'starttls-refused',
    verdict: 'path-dependent',
  },
  // Another certificate from b (self-signed): TLS negotiated both times, the same outcome.
  { last: 5, a: tlsOk(), b: tlsOk('selfSigned'), outcomeA: 'tls-ok', outcomeB: 'tls-ok', verdict: 'consistent' },
  // b: STARTTLS never answered, our deadline passes: a timeout is ours, never path evidence.
  { last: 6, a: tlsOk(), b: plain(EHLO_TLS, ''), outcomeA: 'tls-ok', outcomeB: 'timeout', verdict: 'inconclusive' },
  // b: nothing listens, the connection is refused: no row from b.
  { last: 7, a: tlsOk(), b: nothing, outcomeA: 'tls-ok', outcomeB: 'no-record', verdict: 'inconclusive' },
  // No TLS at all, the same both times (Postfix's reply for a known verb it does not offer).
  {
    last: 8,
    a: plain(EHLO_PLAIN, '502 5.5.1 Error: command not implemented\r\n'),
    b: plain(EHLO_PLAIN, '502 5.5.1 Error: command not implemented\r\n'),
    outcomeA: 'no-starttls',
    outcomeB: 'no-starttls',
    verdict: 'consistent',
  },
  // a: the banner never comes (rule 5); b: TLS.
  {
    last: 9,
    a: plain(EHLO_TLS, READY, ''),
    b: tlsOk(),
    outcomeA: 'no-banner',
    outcomeB: 'tls-ok',
    verdict: 'inconclusive',
  },
  // b: 220, then plaintext where TLS was due: the handshake fails (rule 12).
  {
    last: 10,
    a: tlsOk(),
    b: plain(EHLO_TLS, '220 2.0.0 Ready to start TLS\r\nthis is not TLS\r\n'),
    outcomeA: 'tls-ok',
    outcomeB: 'tls-failed',
    verdict: 'path-dependent',
  },
];

// The report's screenshot is kept beside report-in-browser's, for a person to look at.
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const NET = '127.77.0';
const ip = (last: number): string => `${NET}.${last}`;
const expectedHosts = (verdict: HostCase['verdict']): string[] =>
  HOSTS.filter((h) => h.verdict === verdict).map((h) => ip(h.last));
// Outcomes from t1 (servers as for a) to t2 (as for b), both from vantage va; a host without a row in either is left out.
const EXPECTED_TRANSITIONS = HOSTS.filter(
  (h) => h.outcomeA !== h.outcomeB && h.outcomeA !== 'no-record' && h.outcomeB !== 'no-record',
).map((h) => `${ip(h.last)} ${h.outcomeA} → ${h.outcomeB}`);

let dir: string;
let port: number;
let store: Store;
let tls: { trusted: SecureContext; selfSigned: SecureContext };
let caFile: string;
/** stdout of `stripscan query --saved vantage-disagreement --format json`. */
let cliDisagreement: string;

async function startPhase(phase: 'a' | 'b'): Promise<ScriptedServer[]> {
  const servers: ScriptedServer[] = [];
  for (const h of HOSTS) {
    const script = h[phase](tls);
    if (script !== null) servers.push(await startScriptedServer({ ...script, listen: { host: ip(h.last), port } }));
  }
  return servers;
}

async function scan(campaign: string, vantage: string, extraTargets: string[] = []): Promise<void> {
  const r = await runCli([
    'scan',
    '--allow-reserved',
    '--data-dir',
    join(dir, 'data'),
    '--campaign',
    campaign,
    '--vantage',
    vantage,
    '--port',
    String(port),
    '--ca-file',
    caFile,
    '--timeout',
    '1500',
    '--connect-timeout',
    '1000',
    '--rate',
    '0',
    '--seed',
    '7',
    '--no-progress',
    `${ip(1)}-${ip(HOSTS.length)}`,
    ...extraTargets,
  ]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-vantage-'));
  port = await closedPort();
  const ca = await makeCa('CN=stripscan vantage test CA');
  const leaf = await makeLeaf({ issuer: ca, dns: ['mx.example.test'] });
  const self = await makeLeaf({ issuer: null, dns: ['mx.example.test'] });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.pem);
  tls = {
    trusted: createSecureContext({ cert: leaf.pem, key: leaf.keyPem }),
    selfSigned: createSecureContext({ cert: self.pem, key: self.keyPem }),
  };
  // Campaign vc: one campaign from two vantages; its targets add an address where nothing listens
  // (a different target set from t1/t2's, so the lineage of t1 and t2 does not run through vc).
  const silent = `${NET}.99`;
  let servers = await startPhase('a');
  try {
    await scan('vc', 'va', [silent]);
    await scan('t1', 'va');
  } finally {
    for (const s of servers) await s.close();
  }
  servers = await startPhase('b');
  try {
    await scan('vc', 'vb', [silent]);
    await scan('t2', 'va');
  } finally {
    for (const s of servers) await s.close();
  }
  // The analyst's way in, read-only, before this process opens the data directory (one process at a time).
  const q = await runCli([
    'query',
    '--data-dir',
    join(dir, 'data'),
    '--saved',
    'vantage-disagreement',
    '--param',
    'campaign=vc',
    '--format',
    'json',
  ]);
  expect(q.code, q.stderr).toBe(0);
  cliDisagreement = q.stdout;
  store = await openStore({ dataDir: join(dir, 'data') });
}, 60_000);

afterAll(async () => {
  await store?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await store.client.query({ query, format: 'JSONEachRow', query_params: params })).json<T>();
}

async function panelRows(title: string, campaign: string): Promise<Record<string, unknown>[]> {
  const dashboard = loadDashboards().find((d) => d.dashboard.uid === 'stripscan-campaigns')?.dashboard;
  const panel = dashboard === undefined ? undefined : queryPanels(dashboard).find((p) => p.title === title);
  const rawSql = panel?.targets?.[0]?.rawSql;
  if (rawSql === undefined) throw new Error(`no panel ${title}`);
  const ctx: GrafanaQueryContext = {
    from: new Date(Date.now() - 3_600_000),
    to: new Date(Date.now() + 60_000),
    intervalMs: 1000,
    variables: {
      campaign: { options: ['vc', 't1', 't2'], current: [campaign] },
      vantage: { options: ['va', 'vb'], current: [ALL] },
      // The dashboard's other variables, left at All as Grafana opens it.
      port: { options: [], current: [ALL] },
      country: { options: [], current: [ALL] },
    },
  };
  return rows(expandGrafanaSql(rawSql, ctx));
}

describe('vantage comparison of one campaign scanned from two vantages', () => {
  it('the view gives each host the verdict its servers predict, with each vantage’s outcome', async () => {
    const got = await rows<{ host: string; port: number; verdict: string; vantages: string[]; outcomes: string[] }>(
      `SELECT host, port, verdict, vantages, outcomes FROM vantage_comparison WHERE campaign = 'vc' ORDER BY ip`,
    );
    expect(got).toEqual(
      HOSTS.map((h) => ({
        host: ip(h.last),
        port,
        verdict: h.verdict,
        vantages: ['va', 'vb'],
        outcomes: [h.outcomeA, h.outcomeB],
      })),
    );
    // Campaigns seen from one vantage have nothing to compare.
    expect(await rows(`SELECT host FROM vantage_comparison WHERE campaign IN ('t1', 't2')`)).toEqual([]);
  });

  it('tells TLS vantages, evidence and a changed certificate apart', async () => {
    const byHost = new Map(
      (
        await rows<{
          host: string;
          tls_vantages: string[];
          strip_evidence: string[];
          cert_status: string[];
          certs_differ: boolean;
        }>(
          `SELECT host, tls_vantages, strip_evidence, cert_status, certs_differ FROM vantage_comparison WHERE campaign = 'vc'`,
        )
      ).map((r) => [r.host, r]),
    );
    expect(byHost.get(ip(3))).toMatchObject({ tls_vantages: ['va'], strip_evidence: ['', 'direct'] });
    // The CA-issued certificate is valid through --ca-file; vb met a self-signed one.
    expect(byHost.get(ip(5))).toMatchObject({ tls_vantages: ['va', 'vb'], cert_status: ['valid', 'self-signed'] });
    expect(Boolean(byHost.get(ip(5))?.certs_differ)).toBe(true);
    expect(Boolean(byHost.get(ip(1))?.certs_differ)).toBe(false);
  });

  it('counts per vantage what it could not reach (job_stats)', async () => {
    const reach = await rows<Record<string, number | string>>(
      `SELECT vantage, attempted, responsive, unreachable, no_banner, timeouts FROM vantage_reach WHERE campaign = 'vc' ORDER BY vantage`,
    );
    // 11 addresses each; va: .99 refused, .9 no banner; vb: .7 and .99 refused, .6 timed out.
    expect(
      reach.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'vantage' ? v : Number(v)]))),
    ).toEqual([
      { vantage: 'va', attempted: 11, responsive: 10, unreachable: 1, no_banner: 1, timeouts: 0 },
      { vantage: 'vb', attempted: 11, responsive: 9, unreachable: 2, no_banner: 0, timeouts: 1 },
    ]);
    const perJob = await rows<{ vantage: string; unreachable: string | number }>(
      `SELECT vantage, unreachable FROM job_stats FINAL WHERE campaign = 'vc' ORDER BY vantage`,
    );
    expect(perJob.map((r) => [r.vantage, Number(r.unreachable)])).toEqual([
      ['va', 1],
      ['vb', 2],
    ]);
  });

  it('the saved query lists exactly the path-dependent hosts, with what each vantage saw', async () => {
    const got = await rows<{ host: string; negotiated_from: string; seen: string }>(
      findSavedQuery('vantage-disagreement').sql,
      { campaign: 'vc' },
    );
    expect(got.map((r) => r.host)).toEqual(expectedHosts('path-dependent'));
    const viaCli = cliDisagreement
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { host: string });
    expect(viaCli.map((r) => r.host)).toEqual(expectedHosts('path-dependent'));
    const three = got.find((r) => r.host === ip(3));
    expect(three).toMatchObject({ negotiated_from: 'va', seen: 'va: tls-ok, vb: starttls-stripped (direct)' });
  });

  it('the campaigns dashboard panel, macros expanded, shows the same hosts', async () => {
    const got = await panelRows('Path-dependent hosts (vantage comparison)', 'vc');
    expect(got.map((r) => r.host)).toEqual(expectedHosts('path-dependent'));
    expect(new Set(got.map((r) => r.verdict))).toEqual(new Set(['path-dependent']));
  });

  it('the report shows the path-dependent hosts with transcripts side by side, escaped', async () => {
    const data = await loadReportData(store.client, { campaign: 'vc', storeDescription: 'test store' });
    expect(data.vantages?.pathDependent.map((h) => h.host)).toEqual(expectedHosts('path-dependent'));
    const html = renderReport(data);
    const shown = [...html.matchAll(/<section class="vantage-host" data-host="([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(expectedHosts('path-dependent'));
    // Host .4's banner as vb saw it, escaped in its transcript; never as markup.
    expect(html).toContain('&lt;b&gt;mx&lt;/b&gt;.example.test');
    expect(html).not.toContain('<b>mx</b>');
    // Each path-dependent host has one transcript column per vantage, each holding that exchange.
    const block = html.slice(html.indexOf(`data-host="${ip(3)}"`));
    expect(block.indexOf('data-vantage="va"')).toBeLessThan(block.indexOf('data-vantage="vb"'));
    expect(block.slice(block.indexOf('data-vantage="vb"'))).toMatch(/XXXXXXXA/);
    // A single-vantage campaign has no such section.
    const single = await loadReportData(store.client, { campaign: 't1', storeDescription: 'test store' });
    expect(single.vantages).toBeNull();
    expect(renderReport(single)).not.toContain('class="vantage-host"');
  });
  it('in Chromium, each host’s transcripts stand side by side and wrap inside their columns', async () => {
    const html = renderReport(await loadReportData(store.client, { campaign: 'vc', storeDescription: 'test store' }));
    expect(html).toContain(LONG_WORD);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      // Runs in the page; a string, because the project compiles without the DOM library.
      const boxes = (await page.evaluate(`(() => {
        const main = document.querySelector('main').getBoundingClientRect();
        return [...document.querySelectorAll('section.vantage-host')].map((s) => ({
          host: s.dataset.host,
          overflows: s.scrollWidth > s.clientWidth + 1,
          inside: s.getBoundingClientRect().right <= main.right + 1,
          columns: [...s.querySelectorAll('[data-vantage]')].map((c) => {
            const box = c.getBoundingClientRect();
            const pre = c.querySelector('pre');
            return { vantage: c.dataset.vantage, left: box.left, right: box.right, top: box.top,
                     preOverflows: pre.scrollWidth > pre.clientWidth + 1 };
          }),
        }));
      })()`)) as {
        host: string;
        overflows: boolean;
        inside: boolean;
        columns: { vantage: string; left: number; right: number; top: number; preOverflows: boolean }[];
      }[];
      expect(boxes.map((b) => b.host)).toEqual(expectedHosts('path-dependent'));
      for (const b of boxes) {
        expect(b, b.host).toMatchObject({ overflows: false, inside: true });
        const [va, vb] = b.columns;
        expect(b.columns.map((c) => c.vantage)).toEqual(['va', 'vb']);
        expect(
          b.columns.every((c) => !c.preOverflows),
          b.host,
        ).toBe(true);
        // Side by side: same top, vb's column starts right of va's.
        expect(vb?.top).toBeCloseTo(va?.top ?? -1, 0);
        expect(vb?.left ?? 0).toBeGreaterThanOrEqual(va?.right ?? Infinity);
      }
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#vantages').screenshot({ path: join(ARTIFACTS, 'report-vantages.png') });
    } finally {
      await browser.close();
    }
  }, 30_000);
});

describe('outcome transitions between consecutive campaigns over the same targets', () => {
  it('the lineage links t2 to t1 and keeps vc (other targets) apart', async () => {
    const lineage = await rows<{ campaign: string; previous_campaign: string; port: number }>(
      `SELECT campaign, previous_campaign, port FROM campaign_lineage ORDER BY campaign`,
    );
    expect(lineage).toEqual([
      { campaign: 't1', previous_campaign: '', port },
      { campaign: 't2', previous_campaign: 't1', port },
      { campaign: 'vc', previous_campaign: '', port },
    ]);
  });

  it('the saved query and the panel list exactly the hosts whose outcome changed', async () => {
    const saved = await rows<{ host: string; vantage: string; previous_campaign: string; transition: string }>(
      findSavedQuery('outcome-transitions').sql,
      { campaign: 't2' },
    );
    expect(saved.map((r) => `${r.host} ${r.transition}`)).toEqual(EXPECTED_TRANSITIONS);
    expect(new Set(saved.map((r) => `${r.vantage} ${r.previous_campaign}`))).toEqual(new Set(['va t1']));
    expect(await rows(findSavedQuery('outcome-transitions').sql, { campaign: 't1' })).toEqual([]);

    // The panel: hosts per transition, unchanged ones included, for the pair t1 → t2 whichever of the two is chosen.
    const title = 'Outcome transitions between consecutive campaigns of the same targets';
    const unchanged = HOSTS.filter((h) => h.outcomeA === h.outcomeB && h.outcomeA !== 'no-record');
    const expectedMatrix = [
      ...EXPECTED_TRANSITIONS.map((t) => {
        const [host, ...transition] = t.split(' ');
        return { transition: transition.join(' '), changed: 1, hosts: 1, sample_hosts: host };
      }),
      ...[...new Set(unchanged.map((h) => h.outcomeA))].map((o) => {
        const hosts = unchanged.filter((h) => h.outcomeA === o).map((h) => ip(h.last));
        return { transition: `${o} → ${o}`, changed: 0, hosts: hosts.length, sample_hosts: hosts.sort().join(', ') };
      }),
    ];
    const key = (r: { transition: unknown }): string => String(r.transition);
    for (const chosen of ['t2', 't1']) {
      const panel = await panelRows(title, chosen);
      expect(new Set(panel.map((r) => `${String(r.previous_campaign)} → ${String(r.campaign)}`))).toEqual(
        new Set(['t1 → t2']),
      );
      expect(
        panel
          .map((r) => ({
            transition: String(r.transition),
            changed: Number(r.changed),
            hosts: Number(r.hosts),
            sample_hosts: String(r.sample_hosts),
          }))
          .sort((x, y) => key(x).localeCompare(key(y))),
      ).toEqual(expectedMatrix.sort((x, y) => key(x).localeCompare(key(y))));
    }
    // vc's target set has no other campaign: nothing to compare.
    expect(await panelRows(title, 'vc')).toEqual([]);
  });
});
