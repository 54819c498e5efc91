import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { createWriter, openStore, replaySpool } from '../../src/store/index.js';
import { loadAsnDataset } from '../../src/store/asn-load.js';
import { RECORD_COLUMNS } from '../../src/store/record-select.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { STORE_KINDS, count, rows } from './helpers/test-store.js';

/** Reads observations back as ScanRecords (IPv4 unmapped, ts as ISO), ordered by ts. */
async function readBack(store: Parameters<typeof rows>[0]): Promise<ScanRecord[]> {
  const out = await rows<Record<string, unknown>>(
    store,
    `SELECT ${RECORD_COLUMNS} FROM observations ORDER BY observations.ts, observations.ip`,
  );
  // Column order differs from the record's key order; compare as records.
  return out.map((r) =>
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    ),
  ) as unknown as ScanRecord[];
}

function sorted(r: ScanRecord): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, (r as unknown as Record<string, unknown>)[k]]),
  );
}

const HOSTILE = [
  `it's "quoted" \\ back\\slash`,
  'NUL:\u0000:end',
  '\\xff\\xfe invalid UTF-8 as escaped by the probe',
  "'); DROP TABLE observations; --",
  '{name:String} $1 ? %s',
  'tab\tnew\nline\rcr',
  'ünïcødé 🙂 中文',
  '\u0001\u001f\u007f',
];

describe.each(STORE_KINDS)('record writer ($name)', (kind) => {
  it('round-trips realistic records field for field', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const records = syntheticRecords(3000, { seed: 7 });
      const writer = createWriter(store, { batchRows: 700, flushMs: 50 });
      for (const r of records) await writer.write(r);
      await writer.close();
      expect(writer.stats.rowsInserted).toBe(3000);
      const back = await readBack(store);
      expect(back).toEqual(records.map(sorted));
    } finally {
      await cleanup();
    }
  });

  it('keeps hostile strings byte for byte, in every string and array column', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const base = syntheticRecords(HOSTILE.length, { seed: 3 });
      const records = base.map((r, i) => {
        const s = HOSTILE[i] ?? '';
        return {
          ...r,
          banner: s,
          error: s,
          starttls_reply: s,
          transcript: s,
          cert_subject: s,
          ehlo_keywords: [s, s],
          cert_sans: [s],
        };
      });
      const writer = createWriter(store);
      await writer.writeBatch(records, 'hostile-batch');
      await writer.close();
      const back = await readBack(store);
      expect(back).toEqual(records.map(sorted));
      // A user value reaches SQL only as a parameter: the SQL-looking banner matches itself.
      expect(
        await count(store, 'SELECT count() AS n FROM observations WHERE banner = {b:String}', { b: HOSTILE[3] }),
      ).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('replaces a lone surrogate instead of failing the batch', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const [r] = syntheticRecords(1);
      const writer = createWriter(store);
      await writer.writeBatch([{ ...(r as ScanRecord), banner: 'a\uD800b' }], 't');
      await writer.close();
      expect((await rows<{ banner: string }>(store, 'SELECT banner FROM observations'))[0]?.banner).toBe('a\uFFFDb');
    } finally {
      await cleanup();
    }
  });

  it('refuses a record with an unknown outcome at write(), not in the batch', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const [r] = syntheticRecords(1);
      const writer = createWriter(store);
      expect(() => writer.write({ ...(r as ScanRecord), outcome: 'stripped!' as ScanRecord['outcome'] })).toThrow(
        /outcome "stripped!"/,
      );
      await writer.close();
    } finally {
      await cleanup();
    }
  });

  it('counts a job batch written twice once, in the raw table, the rollup and the latest state', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const records = syntheticRecords(2000, { seed: 11, job: 'job-7' });
      const writer = createWriter(store);
      await writer.writeBatch(records, 'campaign-a/job-7/batch-0');
      await writer.writeBatch(records, 'campaign-a/job-7/batch-0');
      await writer.close();
      expect(await count(store, 'SELECT count() AS n FROM observations')).toBe(2000);
      expect(await count(store, "SELECT sum(probes) AS n FROM observations_daily WHERE fingerprint = ''")).toBe(
        records.filter((r) => r.fingerprints.length === 0).length,
      );
      expect(await count(store, 'SELECT count() AS n FROM host_latest FINAL')).toBe(2000);
    } finally {
      await cleanup();
    }
  });

  it('rollup and latest state agree with the raw table', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const writer = createWriter(store, { batchRows: 1000 });
      // Two campaigns over the same hosts, a day apart: latest state must hold the second.
      for (const r of syntheticRecords(2500, { seed: 1, campaign: 'c1' })) await writer.write(r);
      for (const r of syntheticRecords(2500, { seed: 2, campaign: 'c2', start: new Date('2024-05-02T00:00:00Z') }))
        await writer.write(r);
      await writer.close();
      const raw = await rows<Record<string, unknown>>(
        store,
        `SELECT toDate(ts) AS day, campaign, toString(outcome) AS outcome, f AS fingerprint, uniqExact(ip) AS hosts, count() AS probes
         FROM observations ARRAY JOIN if(empty(fingerprints), [''], arrayMap(x -> toString(x), fingerprints)) AS f
         GROUP BY day, campaign, outcome, fingerprint ORDER BY day, campaign, outcome, fingerprint`,
      );
      const rolled = await rows<Record<string, unknown>>(
        store,
        `SELECT day, campaign, outcome, fingerprint, uniqExactMerge(hosts) AS hosts, sum(probes) AS probes
         FROM observations_daily GROUP BY day, campaign, outcome, fingerprint ORDER BY day, campaign, outcome, fingerprint`,
      );
      expect(rolled).toEqual(raw);
      expect(raw.length).toBeGreaterThan(10);
      const latestRaw = await rows<Record<string, unknown>>(
        store,
        `SELECT toString(ip) AS ip, port, argMax(toString(outcome), ts) AS outcome, argMax(campaign, ts) AS campaign
         FROM observations GROUP BY ip, port ORDER BY ip, port`,
      );
      const latest = await rows<Record<string, unknown>>(
        store,
        'SELECT toString(ip) AS ip, port, outcome, campaign FROM host_latest FINAL ORDER BY ip, port',
      );
      expect(latest).toEqual(latestRaw);
      expect(latest.every((r) => r.campaign === 'c2')).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('enriches rows with ASN and country from either data set format', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const fixtures = new URL('../fixtures/asn/', import.meta.url).pathname;
      const probe = (ip: string, i: number) => ({
        ...(syntheticRecords(1)[0] as ScanRecord),
        ip,
        ts: `2024-05-01T00:00:0${i}.000Z`,
      });
      const ips = ['11.0.0.7', '11.0.2.100', '11.0.2.200', '11.0.3.5', '11.0.3.200', '12.0.0.1'];
      await loadAsnDataset(store, {
        file: join(fixtures, 'ip2asn-v4-sample.tsv'),
        format: 'ip2asn',
        name: 'iptoasn',
        date: '2024-04-30',
      });
      const writer = createWriter(store);
      await writer.writeBatch(ips.map(probe), 'ip2asn-run');
      await loadAsnDataset(store, {
        file: join(fixtures, 'pfx2as-sample.txt'),
        format: 'pfx2as',
        name: 'caida',
        date: '2024-04-29',
      });
      await writer.writeBatch(
        ips.map((ip, i) => ({ ...probe(ip, i), campaign: 'pfx' })),
        'pfx2as-run',
      );
      await writer.close();
      const got = await rows<{ ip: string; asn: number; country: string; asn_dataset: string }>(
        store,
        `SELECT replaceRegexpOne(toString(ip), '^::ffff:', '') AS ip, asn, country, asn_dataset FROM observations
         ORDER BY campaign = 'pfx', ts`,
      );
      expect(got.map((r) => [r.ip, r.asn, r.country, r.asn_dataset])).toEqual([
        ['11.0.0.7', 64500, 'NL', 'iptoasn@2024-04-30'],
        ['11.0.2.100', 64501, 'DE', 'iptoasn@2024-04-30'],
        ['11.0.2.200', 0, '', ''],
        ['11.0.3.5', 64502, 'US', 'iptoasn@2024-04-30'],
        ['11.0.3.200', 0, '', ''],
        ['12.0.0.1', 0, '', ''],
        ['11.0.0.7', 64510, '', 'caida@2024-04-29'],
        ['11.0.2.100', 64510, '', 'caida@2024-04-29'],
        ['11.0.2.200', 64510, '', 'caida@2024-04-29'],
        ['11.0.3.5', 64513, '', 'caida@2024-04-29'],
        ['11.0.3.200', 64510, '', 'caida@2024-04-29'],
        ['12.0.0.1', 0, '', ''],
      ]);
    } finally {
      await cleanup();
    }
  });
});

describe('spool', () => {
  it('spools batches when the server refuses connections, and a replay loads them once', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'stripscan-spool-'));
    // Port 1 on loopback: connection refused, no traffic leaves the machine.
    const down = await openStore({ url: 'http://127.0.0.1:1/default' });
    const records = syntheticRecords(1200, { seed: 5 });
    const writer = createWriter(down, {
      batchRows: 500,
      spoolDir,
      attempts: 2,
      backoffMs: 5,
      replaySpoolOnStart: false,
    });
    for (const r of records) await writer.write(r);
    await writer.close();
    await down.close();
    expect(writer.stats).toMatchObject({ rowsInserted: 0, batchesSpooled: 3, rowsSpooled: 1200 });
    // The spool's reserve (.reserve) sits beside the batches.
    const files = readdirSync(spoolDir).filter((n) => n.endsWith('.spool'));
    expect(files).toHaveLength(3);

    const { store, cleanup } = await STORE_KINDS[0]!.open();
    try {
      await store.migrate();
      // Keep a copy of one file: replaying it again must not count twice.
      const again = mkdtempSync(join(tmpdir(), 'stripscan-spool-again-'));
      copyFileSync(join(spoolDir, files[0]!), join(again, files[0]!));
      expect(await replaySpool(store, spoolDir)).toEqual({
        files: 3,
        rows: 1200,
        skipped: [],
        waiting: 0,
        stoppedBy: null,
      });
      expect(readdirSync(spoolDir).filter((n) => n.endsWith('.spool'))).toEqual([]);
      // The next writer on a spool folder loads what is left there first.
      const next = createWriter(store, { spoolDir: again });
      await next.flush();
      expect(next.stats.spoolReplayedRows).toBe(500);
      await next.close();
      expect(await count(store, 'SELECT count() AS n FROM observations')).toBe(1200);
      expect(await readBack(store)).toEqual(records.map(sorted));
      rmSync(again, { recursive: true, force: true });
    } finally {
      await cleanup();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});
