/**
 * The scanner against the simulated fleet: every persona, through the real
 * driver and chunk runner on loopback, must yield the record the fleet's
 * manifest predicts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverOptions } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import type { ScanRecord } from '../../src/record.js';
import { runChunk } from '../../src/scan/chunk-runner.js';
import { startFleet, type Fleet, type ManifestEntry } from '../../src/sim/index.js';

let fleet: Fleet;
let entries: ManifestEntry[];
const records = new Map<string, ScanRecord>();
const unforced = new Map<string, ScanRecord>();

async function scan(addresses: string[], forceStartTls: boolean, into: Map<string, ScanRecord>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-fleet-'));
  writeFileSync(join(dir, 'ca.pem'), fleet.caPem);
  const driver: DriverOptions = {
    ehloName: 'scanner.stripscan.test',
    forceStartTls,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    // Short enough for the silent and dripping personas to end the test quickly.
    timeoutMs: 4000,
    connectTimeoutMs: 2000,
    tlsContext: createProbeTlsContext({ caFile: join(dir, 'ca.pem') }),
  };
  await runChunk({
    addresses,
    port: fleet.port,
    concurrency: 64,
    driver,
    labels: { campaign: 'fleet-test', job: 'job-1', vantage: 'test' },
    onRecord: (r) => void into.set(r.ip, r),
  });
}

beforeAll(async () => {
  // One host per persona, twice over: the even mix assigns personas round robin.
  fleet = await startFleet({ range: '127.16.0.0/24', mix: 'even', limits: { idleMs: 6000 } });
  entries = [...fleet.manifest()].slice(0, fleet.personas.length * 2);
  await scan(
    entries.map((e) => e.ip),
    true,
    records,
  );
  await scan(
    entries.slice(0, fleet.personas.length).map((e) => e.ip),
    false,
    unforced,
  );
}, 60_000);

afterAll(async () => {
  await fleet.close();
});

describe('scan against the simulated fleet', () => {
  it('covers every outcome the fleet can produce and every fingerprint', () => {
    const outcomes = new Set(entries.map((e) => records.get(e.ip)?.outcome));
    for (const o of [
      'no-banner',
      'not-smtp',
      'smtp-rejected',
      'ehlo-failed',
      'no-starttls',
      'starttls-stripped',
      'starttls-refused',
      'tls-failed',
      'tls-ok',
    ]) {
      expect(outcomes).toContain(o);
    }
    const fingerprints = new Set(entries.flatMap((e) => records.get(e.ip)?.fingerprints ?? []));
    expect([...fingerprints].sort()).toEqual(
      ['corrupted-command-echo', 'hidden-starttls', 'masked-banner', 'masked-ehlo-keyword'].sort(),
    );
  });

  it('matches the manifest for every persona (STARTTLS forced)', () => {
    for (const entry of entries) {
      const record = records.get(entry.ip);
      expect(record, `${entry.persona} at ${entry.ip}`).toBeDefined();
      expect({ persona: entry.persona, ...pick(record!, Object.keys(entry.expect)) }).toEqual({
        persona: entry.persona,
        ...entry.expect,
      });
    }
  });

  it('matches the manifest for every persona with --no-force-starttls', () => {
    for (const entry of entries.slice(0, fleet.personas.length)) {
      const expected = fleet.expectedFor(entry.ip, entry.port, { forceStartTls: false });
      const record = unforced.get(entry.ip);
      expect({ persona: entry.persona, ...pick(record!, Object.keys(expected)) }).toEqual({
        persona: entry.persona,
        ...expected,
      });
    }
  });

  it('keeps hostile banner bytes escaped, never raw', () => {
    for (const record of records.values()) {
      expect(record.banner ?? '').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(record.transcript).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
  });
});

function pick(record: ScanRecord, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (record as unknown as Record<string, unknown>)[k];
  return out;
}
