/**
 * One campaign from two vantage points on one machine: the fleet's path
 * personas put a middlebox on the path from 127.0.0.2 only, the workers of
 * vantage `a` bind 127.0.0.2 and those of `b` 127.0.0.3. Every address is
 * probed and stored once per vantage, each record as the manifest expects
 * for that source, and the hosts whose vantages disagree about STARTTLS are
 * exactly those the manifest predicts (vantage-expectations.ts): in the
 * store's vantage_comparison view, the saved query, the campaigns dashboard's
 * panel (macros expanded as Grafana does) and the report (issue 13's "done
 * when").
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCampaign } from '../../src/queue/campaign-control.js';
import { retryFailedChunks } from '../../src/queue/campaign-retry.js';
import { readCampaign } from '../../src/queue/campaign-store.js';
import { recordChunkFailure } from '../../src/queue/chunk-failures.js';
import { loadReportData, renderReport } from '../../src/report/index.js';
import { PATH_DEPENDENT_SHOWN } from '../../src/report/vantage-data.js';
import { openStore, type Store } from '../../src/store/index.js';
import { RECORD_COLUMNS } from '../../src/store/record-select.js';
import { findSavedQuery } from '../../src/store/saved-queries.js';
import { loadDashboards, queryPanels } from '../dashboards/dashboards.js';
import { ALL, expandGrafanaSql } from '../dashboards/grafana-macros.js';
import type { ExpectedRecord, ManifestEntry } from '../../src/sim/index.js';
import { startHarness, waitFor, type Harness } from './harness.js';
import {
  expectedFrom,
  expectedPathDependent,
  startTlsWithheld,
  startTlsWorks,
  verdictOf,
  type VantageSource,
} from './vantage-expectations.js';

const RANGE = '127.16.0.0/24';
const VANTAGES: VantageSource[] = [
  { vantage: 'a', source: '127.0.0.2' },
  { vantage: 'b', source: '127.0.0.3' },
];
/** Fields compared with the manifest, where it states them. */
const FIELDS = [
  'outcome',
  'fingerprints',
  'strip_evidence',
  'error_stage',
  'banner_code',
  'ehlo_code',
  'starttls_advertised',
  'starttls_sent',
  'starttls_code',
  'tls_version',
  'cert_status',
  'cert_sha256',
] as const;

interface StoredRow {
  ip: string;
  port: number;
  vantage: string;
  job: string;
  [field: string]: unknown;
}

describe('a campaign from two vantages', () => {
  let h: Harness;
  let manifest: ManifestEntry[];
  /** Set once campaign vt is scanned and stored by both vantages. */
  let vtStored = false;
  beforeAll(async () => {
    h = await startHarness(`vantages-${process.pid}`, {
      range: RANGE,
      pathSources: [VANTAGES[0]!.source],
    });
    manifest = [...h.fleet.manifest()].filter((e) => e.port === h.fleet.port);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('refuses bad vantage labels, and workers without one of the campaign’s vantages (exit 2, one line)', async () => {
    for (const [labels, bad] of [
      ['a,b!', 'b!'],
      ['a,a', 'a'],
    ] as const) {
      await expect(h.createCampaign('bad-labels', RANGE, ['--vantages', labels])).rejects.toThrow(
        new RegExp(`\\(2\\): stripscan: --vantages: vantage label "${bad.replace('!', '\\!')}"`),
      );
    }
    await expect(h.createCampaign('both', RANGE, ['--vantages', 'a,b', '--vantage', 'a'])).rejects.toThrow(
      /\(2\): stripscan: --vantage and --vantages: give one/,
    );
    await h.createCampaign('picky', RANGE, ['--vantages', 'a,b']);
    for (const [extra, message] of [
      [[], /campaign picky runs from vantages a, b: start the worker with --vantage and one of them/],
      [['--vantage', 'c'], /--vantage "c": not a vantage of campaign picky \(a, b\)/],
    ] as const) {
      const worker = h.spawnWorker('picky', [...extra]);
      expect(await worker.exit()).toBe(2);
      expect(worker.output()).toMatch(message);
      expect(worker.output().trim().split('\n')).toHaveLength(1);
    }
  });

  it('starts, pauses, resumes and cancels every vantage’s queue', async () => {
    await h.createCampaign('ctl', RANGE, ['--vantages', 'a,b']);
    const queues = ['a', 'b'].map((v) => new Queue(`campaign-ctl@${v}`, { connection: h.client, prefix: h.prefix }));
    try {
      const waiting = () => Promise.all(queues.map((q) => q.getWaitingCount()));
      const paused = () => Promise.all(queues.map((q) => q.isPaused()));
      const control = (action: 'start' | 'pause' | 'resume' | 'cancel') =>
        controlCampaign(h.client, h.prefix, 'ctl', action);
      expect(await control('start')).toBe('running');
      // --queue-depth 4, and a /24 in chunks of 64 is 4 chunks: each vantage's queue holds all of its own.
      expect(await waiting()).toEqual([4, 4]);
      expect(await queues[0]!.getJob('chunk-0@a')).toMatchObject({ data: { vantage: 'a', index: 0 } });
      expect(await control('pause')).toBe('paused');
      expect(await paused()).toEqual([true, true]);
      expect(await control('resume')).toBe('running');
      expect(await paused()).toEqual([false, false]);
      const text = (await h.cli(['campaign', 'status', 'ctl'])).stdout;
      expect(text).toMatch(
        /^ {4}a +pending addresses 0 \/ 256 \(0\.0 %\), chunks 0 \/ 4; jobs waiting 4, active 0; workers 0$/m,
      );
      expect(text).toMatch(/^ {4}b +pending addresses 0 \/ 256 /m);
      expect(await control('cancel')).toBe('cancelled');
      expect(await waiting()).toEqual([0, 0]);
      expect(await h.state('ctl')).toBe('cancelled');
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });

  it('records a vantage’s failed chunk in its own lane, and retry queues it there again', async () => {
    await h.createCampaign('rt', RANGE, ['--vantages', 'a,b', '--chunk-size', '256']);
    expect(await controlCampaign(h.client, h.prefix, 'rt', 'start')).toBe('running');
    const { spec } = await readCampaign(h.client, h.prefix, 'rt');
    const failure = { job: 'chunk-0@b', error: 'boom', attempts: 5, failedAt: new Date().toISOString() };
    expect(await recordChunkFailure(h.client, h.prefix, spec, 'b', 0, failure)).toBe('recorded');
    // One vantage's chunk failed, the other's is still to run: the campaign is not over.
    const record = await readCampaign(h.client, h.prefix, 'rt');
    expect(record.state).toBe('running');
    expect(record.lanes.map((l) => [l.vantage, l.failedChunks])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    const status = JSON.parse((await h.cli(['campaign', 'status', 'rt', '--json'])).stdout) as {
      chunksFailed: number;
      failedChunks: { job: string }[];
    };
    expect(status.chunksFailed).toBe(1);
    expect(status.failedChunks.map((f) => f.job)).toEqual(['chunk-0@b']);
    const queue = new Queue('campaign-rt@b', { connection: h.client, prefix: h.prefix });
    try {
      await (await queue.getJob('chunk-0@b'))?.remove();
      expect(await retryFailedChunks(h.client, h.prefix, 'rt')).toEqual({ requeued: 1, state: 'running' });
      expect(await queue.getJob('chunk-0@b')).toMatchObject({ data: { vantage: 'b', index: 0 } });
      expect((await readCampaign(h.client, h.prefix, 'rt')).failedChunks).toBe(0);
    } finally {
      await queue.close();
    }
    await controlCampaign(h.client, h.prefix, 'rt', 'cancel');
  });

  it('runs every chunk once per vantage; the store holds what the manifest expects from each source', async () => {
    await h.createCampaign('vt', RANGE, ['--vantages', 'a,b', '--timeout', '2000']);
    const writer = h.spawnWriter();
    const workers = VANTAGES.map(({ vantage, source }) =>
      h.spawnWorker('vt', ['--vantage', vantage, '--source-address', source, '--exit-when-done']),
    );
    expect((await h.cli(['campaign', 'start', 'vt'])).code).toBe(0);
    await waitFor(
      'campaign done',
      () => h.state('vt'),
      (s) => s === 'done',
      50_000,
    );
    for (const w of workers) expect(await w.exit()).toBe(0);

    const status = JSON.parse((await h.cli(['campaign', 'status', 'vt', '--json'])).stdout) as {
      state: string;
      addressesDone: number;
      addressesTotal: number;
      perVantage: boolean;
      vantages: { vantage: string; done: boolean; addressesDone: number; chunksDone: number; chunksTotal: number }[];
    };
    expect(status).toMatchObject({ state: 'done', addressesDone: 512, addressesTotal: 512, perVantage: true });
    expect(status.vantages.map((v) => [v.vantage, v.done, v.addressesDone, v.chunksDone === v.chunksTotal])).toEqual([
      ['a', true, 256, true],
      ['b', true, 256, true],
    ]);

    await waitFor(
      'writer backlog drained',
      () => h.client.xlen(`${h.prefix}:stripscan:results`),
      (n) => n === 0,
      30_000,
    );
    expect(await writer.stop()).toBe(0);
    const rows = await storedRows(h.dataDir, 'vt');

    // Each address once per vantage, nothing lost: the fleet has no unresponsive persona, so all are stored.
    for (const { vantage, source } of VANTAGES) {
      const mine = rows.filter((r) => r.vantage === vantage);
      expect(mine.map((r) => r.ip).sort()).toEqual(manifest.map((e) => e.ip).sort());
      for (const row of mine) expect(row.job).toMatch(new RegExp(`^vt-chunk-\\d+@${vantage}$`));
      const byIp = new Map(mine.map((r) => [r.ip, r]));
      for (const entry of manifest) {
        const expected = expectedFrom(entry, source) as Record<string, unknown>;
        const row = byIp.get(entry.ip)!;
        for (const field of FIELDS) {
          if (!(field in expected)) continue;
          expect(row[field], `${vantage} ${entry.ip} (${entry.persona}) ${field}`).toEqual(expected[field]);
        }
      }
    }

    // The disagreement the manifest predicts: every path persona's host, and no other.
    const predicted = expectedPathDependent(manifest, VANTAGES);
    const pathHosts = manifest.filter((e) => e.persona.startsWith('path-')).map((e) => e.ip);
    expect(pathHosts.length).toBeGreaterThanOrEqual(6 * 5);
    expect(predicted.map((p) => p.ip)).toEqual(pathHosts);
    for (const p of predicted) expect(p).toMatchObject({ working: ['b'], withheld: ['a'] });
    // And the store shows it: the same hosts, read from what each vantage recorded.
    const stored = (vantage: string) => new Map(rows.filter((r) => r.vantage === vantage).map((r) => [r.ip, r]));
    const [a, b] = [stored('a'), stored('b')];
    const disagreeing = manifest
      .map((e) => e.ip)
      .filter((ip) => {
        const ra = a.get(ip) as unknown as ExpectedRecord;
        const rb = b.get(ip) as unknown as ExpectedRecord;
        return (startTlsWorks(ra) && startTlsWithheld(rb)) || (startTlsWorks(rb) && startTlsWithheld(ra));
      });
    expect(disagreeing).toEqual(pathHosts);
    vtStored = true;
  });

  it('the view, the saved query, the campaigns panel and the report show exactly the predicted path-dependent hosts', async () => {
    expect(vtStored, 'campaign vt was not stored (the test above failed)').toBe(true);
    const predicted = expectedPathDependent(manifest, VANTAGES).sort((x, y) => byAddress(x.ip, y.ip));
    const expected = predicted.map((p) => `${p.ip}:${p.port}`);
    expect(expected.length).toBeGreaterThan(PATH_DEPENDENT_SHOWN);
    const key = (r: Record<string, unknown>): string => `${String(r.host)}:${Number(r.port)}`;
    const store = await openStore({ dataDir: h.dataDir });
    try {
      const query = async (sql: string, params: Record<string, unknown> = {}) =>
        (await store.client.query({ query: sql, format: 'JSONEachRow', query_params: params })).json<
          Record<string, unknown>
        >();

      // (a) The store: the view's path-dependent hosts, each with what each vantage was expected to see.
      const view = await query(
        `SELECT host, port, vantages, outcomes, tls_vantages FROM vantage_comparison
         WHERE campaign = {c:String} AND verdict = 'path-dependent' ORDER BY ip, port`,
        { c: 'vt' },
      );
      expect(view.map(key)).toEqual(expected);
      expect(view.map((r) => [r.vantages, r.outcomes, r.tls_vantages])).toEqual(
        predicted.map((p) => [['a', 'b'], [p.seen.a, p.seen.b], p.working]),
      );

      // Every host's verdict, not only the path-dependent ones, by docs/schema.md's rules on the manifest's outcomes.
      const verdicts = await query(
        `SELECT host, verdict FROM vantage_comparison WHERE campaign = {c:String} ORDER BY ip, port`,
        { c: 'vt' },
      );
      const predictedVerdicts = [...manifest]
        .sort((x, y) => byAddress(x.ip, y.ip))
        .map((e) => ({ host: e.ip, verdict: verdictOf(VANTAGES.map((v) => expectedFrom(e, v.source).outcome)) }));
      expect(verdicts).toEqual(predictedVerdicts);
      expect(new Set(predictedVerdicts.map((v) => v.verdict))).toEqual(
        new Set(['path-dependent', 'consistent', 'inconclusive']),
      );

      // (b) The saved query, as `stripscan query --saved vantage-disagreement --param campaign=vt` runs it.
      const saved = await query(findSavedQuery('vantage-disagreement').sql, { campaign: 'vt' });
      expect(saved.map(key)).toEqual(expected);

      // (c) The campaigns dashboard's panel, macros expanded; every variable on All, then the port chosen.
      const panel = campaignsPanel('Path-dependent hosts (vantage comparison)');
      for (const port of [[ALL], [String(h.fleet.port)]]) {
        const sql = expandGrafanaSql(panel, {
          from: new Date(Date.now() - 3_600_000),
          to: new Date(Date.now() + 60_000),
          intervalMs: 1000,
          variables: {
            campaign: { options: ['vt'], current: ['vt'] },
            vantage: { options: ['a', 'b'], current: [ALL] },
            port: { options: [String(h.fleet.port)], current: port },
            country: { options: [], current: [ALL] },
          },
        });
        const rows = await query(sql);
        expect(rows.map(key), `panel with port ${port.join()}`).toEqual(expected);
        expect(new Set(rows.map((r) => r.campaign))).toEqual(new Set(['vt']));
      }

      // (d) The report: the total, the first hosts by address in its data and in its HTML.
      await expectReport(store, expected);
    } finally {
      await store.close();
    }
  });
});

async function expectReport(store: Store, expected: string[]): Promise<void> {
  const data = await loadReportData(store.client, { campaign: 'vt', storeDescription: 'queue test store' });
  const section = data.vantages;
  expect(section?.pathDependentTotal).toBe(expected.length);
  const verdicts = Object.fromEntries((section?.verdicts ?? []).map((v) => [v.verdict, v.hosts]));
  expect(verdicts['path-dependent']).toBe(expected.length);
  const shown = expected.slice(0, PATH_DEPENDENT_SHOWN);
  expect(section?.pathDependent.map((p) => `${p.host}:${p.port}`)).toEqual(shown);
  const html = renderReport(data);
  const hosts = [...html.matchAll(/<section class="vantage-host" data-host="([^"]+)"/g)].map((m) => m[1]);
  expect(hosts).toEqual(shown.map((k) => k.split(':')[0]));
  expect(html).toContain(`first ${PATH_DEPENDENT_SHOWN} of ${expected.length}`);
}

function campaignsPanel(title: string): string {
  const dashboard = loadDashboards().find((d) => d.dashboard.uid === 'stripscan-campaigns')?.dashboard;
  const sql = dashboard === undefined ? undefined : queryPanels(dashboard).find((p) => p.title === title)?.targets?.[0];
  if (sql === undefined) throw new Error(`no panel ${title} in the campaigns dashboard`);
  return sql.rawSql;
}

/** IPv4 dotted quads in numeric order, as the view sorts ip. */
function byAddress(x: string, y: string): number {
  const n = (a: string) => a.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  return n(x) - n(y);
}

async function storedRows(dataDir: string, campaign: string): Promise<StoredRow[]> {
  const store = await openStore({ dataDir });
  try {
    const rs = await store.client.query({
      query: `SELECT ${RECORD_COLUMNS} FROM observations WHERE campaign = {c:String}`,
      query_params: { c: campaign },
      format: 'JSONEachRow',
    });
    return (await rs.json()) as StoredRow[];
  } finally {
    await store.close();
  }
}
