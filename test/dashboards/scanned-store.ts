/**
 * A store filled by real scans of the simulated fleet, for the dashboard and
 * report tests. Three scans of the same loopback /25 on the same port:
 *
 *   alpha  from vp-a: even mix (every persona, the hostile banners included)
 *   alpha  from vp-b: realistic mix, seed 2 — the same hosts answer
 *          differently, as a path-dependent middlebox would make them
 *   beta   from vp-a: even mix, a later campaign for the time series
 *
 * An ASN data set covering the range is loaded first, so rows carry asn and
 * country (two ASes, two countries).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { runChunk } from '../../src/scan/chunk-runner.js';
import { isResponsive } from '../../src/scan/chunk-stats.js';
import { startFleet, type Mix } from '../../src/sim/index.js';
import { loadAsnDataset } from '../../src/store/asn-load.js';
import { createWriter, openStore, type CampaignRow, type Store } from '../../src/store/index.js';

export const FLEET_RANGE = '127.20.0.0/25';

interface ScanSpec {
  campaign: string;
  vantage: string;
  mix: Mix;
  seed: number;
}

export const SCANS: readonly ScanSpec[] = [
  { campaign: 'alpha', vantage: 'vp-a', mix: 'even', seed: 1 },
  { campaign: 'alpha', vantage: 'vp-b', mix: 'realistic', seed: 2 },
  { campaign: 'beta', vantage: 'vp-a', mix: 'even', seed: 1 },
];

const ASN_FILE = [
  '127.20.0.0\t127.20.0.63\t64500\tTN\tEXAMPLE-TRANSIT-A',
  '127.20.0.64\t127.20.0.127\t64501\tDE\tEXAMPLE-TRANSIT-B',
  '',
].join('\n');

export interface ScannedStore {
  store: Store;
  /** The embedded data directory; close the store before another process opens it. */
  dataDir: string;
  port: number;
  /** Earliest observation minus a minute, and now plus a minute: a time range covering every row. */
  from: Date;
  to: Date;
  cleanup(): Promise<void>;
}

export async function openScannedStore(): Promise<ScannedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-views-'));
  const store = await openStore({ dataDir: join(dir, 'data') });
  const from = new Date(Date.now() - 60_000);
  try {
    await store.migrate();
    const asnFile = join(dir, 'ip2asn.tsv');
    writeFileSync(asnFile, ASN_FILE);
    await loadAsnDataset(store, { file: asnFile, format: 'ip2asn', name: 'test-ip2asn' });
    let port = 0;
    for (const scan of SCANS) port = await scanOnce(store, dir, scan, port);
    return {
      store,
      dataDir: join(dir, 'data'),
      port,
      from,
      to: new Date(Date.now() + 60_000),
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One scan of the fleet range; returns the port, reused so every scan sees the same (ip, port) hosts. */
async function scanOnce(store: Store, dir: string, scan: ScanSpec, port: number): Promise<number> {
  const fleet = await startFleet({ range: FLEET_RANGE, port, mix: scan.mix, seed: scan.seed });
  const caFile = join(dir, `ca-${scan.campaign}-${scan.vantage}.pem`);
  writeFileSync(caFile, fleet.caPem);
  const writer = createWriter(store, { replaySpoolOnStart: false });
  const startedAt = new Date().toISOString();
  const campaignRow: CampaignRow = {
    campaign: scan.campaign,
    params: { targets: [FLEET_RANGE], port: fleet.port, mix: scan.mix, mode: 'local' },
    seed: String(scan.seed),
    ehlo_name: 'views-test.stripscan.localhost',
    contact: 'https://example.invalid/stripscan-views-test',
    started_at: startedAt,
    ended_at: null,
    state: 'running',
    addresses_total: 128,
    chunks_total: 1,
    chunks_done: 0,
    chunks_failed: 0,
    attempted: 0,
    responsive: 0,
    counters: {},
  };
  try {
    await writer.writeCampaigns([campaignRow]);
    const job = `${scan.campaign}-${scan.vantage}-0`;
    const stats = await runChunk({
      addresses: fleetAddresses(),
      port: fleet.port,
      concurrency: 256,
      driver: {
        ehloName: 'views-test.stripscan.localhost',
        forceStartTls: true,
        implicitTls: false,
        limits: DEFAULT_LIMITS,
        // The silent persona holds the connection until this deadline.
        timeoutMs: 2000,
        connectTimeoutMs: 1000,
        tlsContext: createProbeTlsContext({ caFile }),
      },
      labels: { campaign: scan.campaign, job, vantage: scan.vantage },
      onRecord: async (record) => {
        if (!isResponsive(record)) return;
        const wait = writer.write(record);
        if (wait) await wait;
      },
    });
    const finishedAt = new Date().toISOString();
    await writer.writeJobStats({
      campaign: scan.campaign,
      job,
      vantage: scan.vantage,
      attempted: stats.attempted,
      responsive: stats.responsive,
      connect_timeouts: stats.connectTimeouts,
      held_ms: stats.heldMs,
      outcome_counts: stats.outcomes,
      started_at: startedAt,
      finished_at: finishedAt,
    });
    await writer.writeCampaigns([
      {
        ...campaignRow,
        ended_at: finishedAt,
        state: 'done',
        chunks_done: 1,
        attempted: stats.attempted,
        responsive: stats.responsive,
      },
    ]);
    await writer.close();
    return fleet.port;
  } finally {
    await fleet.close();
  }
}

/** Every address of FLEET_RANGE (a /25), in order. */
function fleetAddresses(): string[] {
  return Array.from({ length: 128 }, (_, i) => `127.20.0.${i}`);
}
