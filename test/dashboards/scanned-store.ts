/**
 * A store filled by real scans of the simulated fleet, for the dashboard and
 * report tests. Three scans of the same loopback /25 on the same port:
 *
 *   alpha  from vp-a: even mix (every persona, the hostile banners included)
 *   alpha  from vp-b: realistic mix, seed 2 — the same hosts answer
 *          differently, as a path-dependent middlebox would make them
 *   beta   from vp-a: even mix, a later campaign for the time series
 *
 * alpha from vp-a also probes one scripted server (HOSTILE_HOST, same port)
 * whose EHLO reply holds a 500-character keyword and whose banner is long,
 * and whose STARTTLS echo is corrupted: a stripped host whose text the report
 * must cut without breaking its tables.
 *
 * An ASN data set covering the range is loaded first, so rows carry asn and
 * country (two ASes, two countries). Every record of every scan is also
 * written to a JSON-lines file (`jsonlFile`), as `stripscan scan` writes it:
 * tests count their expectations from it, not from SQL.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { runChunk } from '../../src/scan/chunk-runner.js';
import { isResponsive, jobStatsRow } from '../../src/scan/chunk-stats.js';
import { startFleet, type Mix } from '../../src/sim/index.js';
import { loadAsnDataset } from '../../src/store/asn-load.js';
import { createWriter, openStore, type CampaignRow, type Store } from '../../src/store/index.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-smtp-server.js';

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
  '127.20.0.64\t127.20.0.255\t64501\tDE\tEXAMPLE-TRANSIT-B',
  '',
].join('\n');

/** The scripted hostile server: outside the fleet's /25, inside the second AS. */
export const HOSTILE_HOST = '127.20.0.200';
/** One EHLO keyword of 500 characters, a single word: a server decides how long its text is. */
export const HOSTILE_KEYWORD = `HOSTILE${'Q'.repeat(493)}`;
/** A banner of many words, longer than any table cell. */
export const LONG_BANNER = `mx.hostile.example ESMTP ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')} end-of-banner`;

function hostileScript(): Parameters<typeof startScriptedServer>[0] {
  return {
    banner: `220 ${LONG_BANNER}\r\n`,
    replies: {
      EHLO: `250-mx.hostile.example\r\n250-${HOSTILE_KEYWORD}\r\n250-PIPELINING\r\n250 8BITMIME\r\n`,
      // Sendmail-style echo of a command that was not what we sent: corrupted-command-echo, direct evidence.
      STARTTLS: '500 5.5.1 Command unrecognized: "XXXXXXXX"\r\n',
    },
    pieceGapMs: 0,
  };
}

export interface ScannedStore {
  store: Store;
  /** The embedded data directory; close the store before another process opens it. */
  dataDir: string;
  port: number;
  /** Every record of every scan, one JSON object per line, responsive or not. */
  jsonlFile: string;
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
    const jsonlFile = join(dir, 'scans.jsonl');
    writeFileSync(jsonlFile, '');
    for (const scan of SCANS) port = await scanOnce(store, dir, scan, port, jsonlFile);
    return {
      store,
      dataDir: join(dir, 'data'),
      jsonlFile,
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
async function scanOnce(store: Store, dir: string, scan: ScanSpec, port: number, jsonlFile: string): Promise<number> {
  const fleet = await startFleet({ range: FLEET_RANGE, port, mix: scan.mix, seed: scan.seed });
  const withHostile = scan.campaign === 'alpha' && scan.vantage === 'vp-a';
  let hostile: ScriptedServer | null = null;
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
    addresses_total: withHostile ? 129 : 128,
    chunks_total: 1,
    chunks_done: 0,
    chunks_failed: 0,
    attempted: 0,
    responsive: 0,
    counters: {},
  };
  try {
    if (withHostile)
      hostile = await startScriptedServer({ ...hostileScript(), listen: { host: HOSTILE_HOST, port: fleet.port } });
    await writer.writeCampaigns([campaignRow]);
    const job = `${scan.campaign}-${scan.vantage}-0`;
    const stats = await runChunk({
      addresses: withHostile ? [...fleetAddresses(), HOSTILE_HOST] : fleetAddresses(),
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
        appendFileSync(jsonlFile, `${JSON.stringify(record)}\n`);
        if (!isResponsive(record)) return;
        const wait = writer.write(record);
        if (wait) await wait;
      },
    });
    const finishedAt = new Date().toISOString();
    await writer.writeJobStats(
      jobStatsRow({ campaign: scan.campaign, job, vantage: scan.vantage }, stats, startedAt, finishedAt),
    );
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
    await hostile?.close();
    await fleet.close();
  }
}

/** Every address of FLEET_RANGE (a /25), in order. */
function fleetAddresses(): string[] {
  return Array.from({ length: 128 }, (_, i) => `127.20.0.${i}`);
}
