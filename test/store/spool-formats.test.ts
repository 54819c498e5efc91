/**
 * Spool files of every version stripscan has written replay into today's
 * store, once: version 4 (Native blocks, JSON lines for the other tables,
 * the body's length in the header), version 3 (TabSeparated observations,
 * JSON lines) and version 2 (TabSeparated observations, before and after
 * migration 0005 added four columns). The legacy files are written here as
 * the stripscan of their time wrote them (helpers/legacy-spool.ts).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { createWriter, openStore, replaySpool } from '../../src/store/index.js';
import { ObservationBatch } from '../../src/store/observation-batch.js';
import { RECORD_COLUMNS } from '../../src/store/record-select.js';
import { readSpooled, spoolBatch } from '../../src/store/spool.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { FIELDS_BEFORE_0005, writeLegacySpool } from './helpers/legacy-spool.js';
import { STORE_KINDS, count, rows } from './helpers/test-store.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-spool-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sorted(r: object): Record<string, unknown> {
  const o = r as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

const records = (campaign: string, seed: number, n = 300): ScanRecord[] =>
  syntheticRecords(n, { seed, campaign, job: `${campaign}-job`, firstAddress: 0x0b000001 + seed * 1_000 }).map(
    (r, i) => ({
      ...r,
      // Values the record fields added by migration 0005 can hold, and text a TSV line must escape.
      server_name: i % 3 === 0 ? `mx${i}.example.org` : null,
      banner: i % 5 === 0 ? "tab\there 'quote' back\\slash\nnewline" : r.banner,
    }),
  );

async function readBack(store: Parameters<typeof rows>[0], campaign: string): Promise<Record<string, unknown>[]> {
  const out = await rows<Record<string, unknown>>(
    store,
    `SELECT ${RECORD_COLUMNS} FROM observations WHERE campaign = {c:String} ORDER BY observations.ts, observations.ip`,
    { c: campaign },
  );
  return out.map(sorted);
}

describe('spool files of every version', () => {
  it('replay once each: Native (4), TabSeparated (3), TabSeparated before and after migration 0005 (2), JSON lines (3)', async () => {
    const spoolDir = join(dir, 'versions');
    const v4 = records('v4', 1);
    const encoder = new ObservationBatch();
    for (const r of v4) encoder.add(r);
    const native = encoder.take();
    await spoolBatch(spoolDir, {
      table: 'observations',
      format: 'Native',
      token: 'v4/0',
      body: native.body,
      rows: 300,
    });
    const v3 = records('v3', 2);
    writeLegacySpool(spoolDir, 3, 'v3/0', v3);
    const v2 = records('v2', 3);
    writeLegacySpool(spoolDir, 2, 'v2/0', v2);
    const old = records('v2-before-0005', 4);
    writeLegacySpool(spoolDir, 2, 'v2-before-0005/0', old, FIELDS_BEFORE_0005);
    const stats = {
      campaign: 'v3',
      job: 'v3-job',
      vantage: 'v',
      attempted: 300,
      responsive: 290,
      connect_timeouts: 10,
      outcome_counts: {},
      started_at: '2024-05-01T00:00:00.000Z',
      finished_at: '2024-05-01T00:01:00.000Z',
      recorded_at: '2024-05-01T00:01:00.000Z',
    };
    writeFileSync(
      join(spoolDir, `${String(Date.now() + 1).padStart(15, '0')}-1-stats.spool`),
      `${JSON.stringify({ stripscan_spool: 3, table: 'job_stats', dedup_token: '', rows: 1 })}\n${JSON.stringify(stats)}\n`,
    );
    // The same files twice: a second replay (of copies a crash left) counts nothing twice.
    const copies = readdirSync(spoolDir).map((n) => [n, readFileSync(join(spoolDir, n))] as const);

    const { store, cleanup } = await STORE_KINDS[0]!.open();
    try {
      await store.migrate();
      expect(await replaySpool(store, spoolDir)).toMatchObject({ files: 5, rows: 1201, skipped: [], waiting: 0 });
      for (const [n, bytes] of copies) writeFileSync(join(spoolDir, n), bytes);
      expect(await replaySpool(store, spoolDir)).toMatchObject({ files: 5, rows: 1201, skipped: [] });

      expect(await readBack(store, 'v4')).toEqual(v4.map(sorted));
      expect(await readBack(store, 'v3')).toEqual(v3.map(sorted));
      expect(await readBack(store, 'v2')).toEqual(v2.map(sorted));
      expect(await readBack(store, 'v2-before-0005')).toEqual(
        old.map((r) =>
          sorted({ ...r, server_name: null, strip_evidence: null, cert_validity: null, cert_name_matches: null }),
        ),
      );
      expect(await count(store, 'SELECT count() AS n FROM observations')).toBe(1200);
      expect(await count(store, 'SELECT count() AS n FROM host_latest FINAL')).toBe(1200);
      expect(await count(store, "SELECT count() AS n FROM job_stats FINAL WHERE campaign = 'v3'")).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('a version 4 file whose body is not as long as its header says is kept as damaged; one a byte longer too', async () => {
    const spoolDir = join(dir, 'damaged');
    const encoder = new ObservationBatch();
    for (const r of records('cut', 5, 50)) encoder.add(r);
    const { body } = encoder.take();
    const file = await spoolBatch(spoolDir, {
      table: 'observations',
      format: 'Native',
      token: 'cut/0',
      body,
      rows: 50,
    });
    const whole = readFileSync(file);
    expect((await readSpooled(file)).body.equals(body)).toBe(true);
    writeFileSync(file, whole.subarray(0, whole.length - 1));
    await expect(readSpooled(file)).rejects.toMatchObject({ code: 'E_SPOOL_CORRUPT' });
    // A trailing newline is a byte of a binary body, not an end of line.
    writeFileSync(file, Buffer.concat([whole, Buffer.from('\n')]));
    await expect(readSpooled(file)).rejects.toMatchObject({ code: 'E_SPOOL_CORRUPT' });
  });

  it('a writer spools Native batches during an outage, and the next writer loads them', async () => {
    const spoolDir = join(dir, 'outage');
    // Port 1 on loopback: connection refused, no traffic leaves the machine.
    const down = await openStore({ url: 'http://127.0.0.1:1/default' });
    const written = records('outage', 6, 1_000);
    const writer = createWriter(down, { batchRows: 400, spoolDir, attempts: 1, replaySpoolOnStart: false });
    for (const r of written) await writer.write(r);
    await writer.close();
    await down.close();
    const files = readdirSync(spoolDir).filter((n) => n.endsWith('.spool'));
    expect(files).toHaveLength(3);
    const first = await readSpooled(join(spoolDir, files.sort()[0] ?? ''));
    expect(first).toMatchObject({ table: 'observations', format: 'Native', rows: 400 });
    expect(JSON.parse(readFileSync(first.file).subarray(0, readFileSync(first.file).indexOf(10)).toString())).toEqual({
      stripscan_spool: 4,
      table: 'observations',
      format: 'Native',
      dedup_token: first.token,
      rows: 400,
      bytes: first.body.length,
    });

    const { store, cleanup } = await STORE_KINDS[0]!.open({ spoolDir });
    try {
      await store.migrate();
      const next = createWriter(store);
      await next.flush();
      await next.close();
      expect(next.stats.spoolReplayedRows).toBe(1_000);
      expect(await readBack(store, 'outage')).toEqual(written.map(sorted));
    } finally {
      await cleanup();
    }
  });
});
