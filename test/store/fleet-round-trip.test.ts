/**
 * The whole path, for real: the simulated fleet on loopback, scanned by
 * scanCommand (the body of `stripscan scan`) into an embedded store, then read
 * back through the saved analyst queries. Every count must equal what the
 * fleet's manifest predicts for a scanner that forces STARTTLS and trusts the
 * fleet's CA. Only responsive hosts become rows; job_stats counts the rest.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../../src/cli/commands/scan.js';
import { DEFAULTS } from '../../src/cli/scan-options.js';
import { isResponsive } from '../../src/scan/chunk-stats.js';
import { startFleet, type ManifestEntry } from '../../src/sim/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { findSavedQuery } from '../../src/store/saved-queries.js';
import { count, rows } from './helpers/test-store.js';

const RANGE = '127.16.1.0/24';
const CAMPAIGN = 'fleet-round-trip';
const NOT_SMTP = new Set(['connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp']);

async function saved<T>(store: Store, name: string): Promise<T[]> {
  return rows<T>(store, findSavedQuery(name).sql, { campaign: CAMPAIGN });
}

/** Counts of `key(entry)` over entries, skipping undefined keys, as a sorted plain object. */
function tally(entries: ManifestEntry[], key: (e: ManifestEntry) => string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    const k = key(e);
    if (k !== undefined && k !== null) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function asObject<T extends Record<string, unknown>>(list: T[], key: keyof T, value: keyof T): Record<string, number> {
  return Object.fromEntries(list.map((r) => [String(r[key]), Number(r[value])]));
}

describe('scan → store → saved queries, against the simulated fleet', () => {
  it('gives the counts the fleet manifest predicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-round-trip-'));
    const fleet = await startFleet({ range: RANGE, port: 0, mix: 'realistic' });
    try {
      const caFile = join(dir, 'sim-ca.pem');
      writeFileSync(caFile, fleet.caPem);
      await scanCommand([RANGE], {
        port: fleet.port,
        concurrency: 300,
        rate: 0,
        timeout: 2500,
        connectTimeout: DEFAULTS.connectTimeoutMs,
        ehloName: 'round-trip.stripscan.localhost',
        caFile,
        forceStarttls: true,
        allowReserved: true,
        blocklist: [],
        seed: '7',
        store: true,
        campaign: CAMPAIGN,
        vantage: 'test',
        contact: 'https://example.invalid/round-trip',
        shards: 1,
        shard: 0,
        dataDir: join(dir, 'data'),
        progress: false,
      });
    } finally {
      await fleet.close();
    }

    const manifest = [...fleet.manifest()];
    expect(manifest.length).toBe(256);
    const responsive = manifest.filter((e) => isResponsive({ outcome: e.expect.outcome ?? 'connect-error' }));
    const smtp = responsive.filter((e) => !NOT_SMTP.has(e.expect.outcome ?? ''));
    const tlsOk = smtp.filter((e) => e.expect.outcome === 'tls-ok');

    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      // Outcomes, one row per responsive host.
      const outcomes = await rows<{ outcome: string; n: number }>(
        store,
        'SELECT toString(outcome) AS outcome, count() AS n FROM observations WHERE campaign = {c:String} GROUP BY outcome',
        { c: CAMPAIGN },
      );
      expect(asObject(outcomes, 'outcome', 'n')).toEqual(tally(responsive, (e) => e.expect.outcome));

      // Stripping evidence by fingerprint (from the daily rollup).
      const byFingerprint = await saved<{ fingerprint: string; outcome: string; hosts: number }>(
        store,
        'stripping-by-fingerprint',
      );
      const expectedFingerprints: Record<string, number> = {};
      for (const e of responsive) {
        for (const f of e.expect.fingerprints ?? []) {
          const k = `${f} ${e.expect.outcome}`;
          expectedFingerprints[k] = (expectedFingerprints[k] ?? 0) + 1;
        }
      }
      expect(Object.keys(expectedFingerprints).length).toBeGreaterThan(0);
      expect(Object.fromEntries(byFingerprint.map((r) => [`${r.fingerprint} ${r.outcome}`, Number(r.hosts)]))).toEqual(
        expectedFingerprints,
      );

      // STARTTLS adoption.
      const [adoption] = await saved<{ smtp_hosts: number; advertised: number; tls_ok: number }>(
        store,
        'starttls-adoption',
      );
      expect(adoption?.smtp_hosts).toBe(smtp.length);
      expect(adoption?.advertised).toBe(smtp.filter((e) => e.expect.starttls_advertised === true).length);
      expect(adoption?.tls_ok).toBe(tlsOk.length);

      // Stripping by day: one day, the stripped hosts of the manifest.
      const byDay = await saved<{ stripped_hosts: number; smtp_hosts: number }>(store, 'stripping-by-day');
      expect(byDay.map((r) => [Number(r.stripped_hosts), Number(r.smtp_hosts)])).toEqual([
        [smtp.filter((e) => e.expect.outcome === 'starttls-stripped').length, smtp.length],
      ]);

      // Stripping by evidence grade, and timeouts by stage: each a count the manifest predicts.
      const byEvidence = await saved<{ strip_evidence: string; stripped_hosts: number }>(
        store,
        'stripping-by-evidence',
      );
      expect(asObject(byEvidence, 'strip_evidence', 'stripped_hosts')).toEqual(
        tally(responsive, (e) => e.expect.strip_evidence),
      );
      const timeouts = await saved<{ stage: string; hosts: number }>(store, 'timeouts-by-stage');
      expect(asObject(timeouts, 'stage', 'hosts')).toEqual(
        tally(
          responsive.filter((e) => e.expect.outcome === 'timeout'),
          (e) => e.expect.error_stage,
        ),
      );

      // TLS versions and certificate status: stored values agree host by host
      // where the manifest states them, and the saved queries add them up.
      const stored = await rows<{ host: string; tls_version: string | null; cert_status: string | null }>(
        store,
        "SELECT replaceRegexpOne(toString(ip), '^::ffff:', '') AS host, tls_version, toString(cert_status) AS cert_status FROM observations WHERE campaign = {c:String}",
        { c: CAMPAIGN },
      );
      const byHost = new Map(stored.map((r) => [r.host, r]));
      for (const e of responsive) {
        if (e.expect.tls_version !== undefined) expect(byHost.get(e.ip)?.tls_version).toBe(e.expect.tls_version);
        if (e.expect.cert_status !== undefined)
          expect(byHost.get(e.ip)?.cert_status ?? null).toBe(e.expect.cert_status);
      }
      const versions = await saved<{ tls_version: string; hosts: number }>(store, 'tls-versions');
      expect(asObject(versions, 'tls_version', 'hosts')).toEqual(tally(responsive, (e) => e.expect.tls_version));
      const certs = await saved<{ cert_status: string; hosts: number }>(store, 'cert-status');
      expect(asObject(certs, 'cert_status', 'hosts')).toEqual(tally(tlsOk, (e) => e.expect.cert_status));
      expect(certs.reduce((s, r) => s + Number(r.hosts), 0)).toBe(tlsOk.length);

      // The campaign and its job statistics.
      expect(
        await count(
          store,
          'SELECT count() AS n FROM campaigns FINAL WHERE campaign = {c:String} AND ended_at IS NOT NULL',
          { c: CAMPAIGN },
        ),
      ).toBe(1);
      const [job] = await rows<{ attempted: number; responsive: number }>(
        store,
        'SELECT attempted, responsive FROM job_stats FINAL WHERE campaign = {c:String}',
        { c: CAMPAIGN },
      );
      expect(job).toEqual({ attempted: manifest.length, responsive: responsive.length });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
