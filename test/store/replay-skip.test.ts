/**
 * A replay never stops at a bad file: a damaged file and a batch ClickHouse
 * refuses are skipped, kept where they are and named, and the files behind
 * them load. `stripscan store replay` reports both and exits 1.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, replaySpool } from '../../src/store/index.js';
import { ObservationBatch } from '../../src/store/observation-batch.js';
import { spoolBatch } from '../../src/store/spool.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { runCli } from '../helpers/run-cli.js';
import { writeLegacySpool } from './helpers/legacy-spool.js';
import { count } from './helpers/test-store.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-replay-skip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Spool files in name (= replay) order: a good batch, a damaged file, a refused batch, a good batch, a job_stats row. */
async function badSpool(spoolDir: string): Promise<{ damaged: string; refused: string }> {
  const [a, b, c] = [0, 1, 2].map((i) =>
    syntheticRecords(100, { seed: i, campaign: 'skip', job: `job-${i}`, firstAddress: 0x0b000001 + i * 1000 }),
  );
  const body = (records: typeof a) => {
    const encoder = new ObservationBatch();
    for (const r of records ?? []) encoder.add(r);
    return encoder.take().body;
  };
  await spoolBatch(spoolDir, {
    table: 'observations',
    format: 'Native',
    token: 'skip/job-0/0',
    body: body(a),
    rows: 100,
  });
  const damaged = join(spoolDir, `${String(Date.now()).padStart(15, '0')}-1-damaged.spool`);
  writeFileSync(damaged, '{"stripscan_spool":3,"table":"observations","dedup_token":"x","rows":5}\ncut short');
  await new Promise((r) => setTimeout(r, 5));
  // A batch from a stripscan before Native blocks, with an address the IPv6
  // column cannot parse: the whole batch is refused.
  const refusedRows = (b ?? []).map((r, i) => (i === 50 ? { ...r, ip: 'not-an-address' } : r));
  const refused = writeLegacySpool(spoolDir, 3, 'skip/job-1/0', refusedRows);
  await new Promise((r) => setTimeout(r, 5));
  await spoolBatch(spoolDir, {
    table: 'observations',
    format: 'Native',
    token: 'skip/job-2/0',
    body: body(c),
    rows: 100,
  });
  const stats = {
    campaign: 'skip',
    job: 'job-2',
    vantage: 'v',
    attempted: 100,
    responsive: 100,
    connect_timeouts: 0,
    outcome_counts: {},
    started_at: '2024-05-01T00:00:00.000Z',
    finished_at: '2024-05-01T00:01:00.000Z',
    recorded_at: '2024-05-01T00:01:00.000Z',
  };
  await spoolBatch(spoolDir, {
    table: 'job_stats',
    format: 'JSONEachRow',
    token: '',
    body: Buffer.from(JSON.stringify(stats)),
    rows: 1,
  });
  return { damaged, refused };
}

describe('replaying a spool with bad files in it', () => {
  it('loads every good file, skips and keeps the damaged and the refused one, and names them', async () => {
    const spoolDir = join(dir, 'lib-spool');
    const { damaged, refused } = await badSpool(spoolDir);
    const store = await openStore({ dataDir: join(dir, 'lib-data') });
    try {
      await store.migrate();
      const result = await replaySpool(store, spoolDir);
      expect(result).toMatchObject({ files: 3, rows: 201, waiting: 0, stoppedBy: null });
      expect(result.skipped.map((s) => s.file)).toEqual([damaged, refused]);
      expect(result.skipped[0]?.reason).toMatch(/is not a complete stripscan spool batch/);
      expect(result.skipped[1]?.reason).toMatch(/refused: Code: \d+\. .*not-an-address/);
      expect(
        readdirSync(spoolDir)
          .filter((n) => n.endsWith('.spool'))
          .sort(),
      ).toEqual([damaged, refused].map((f) => f.slice(spoolDir.length + 1)).sort());
      expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 'skip'")).toBe(200);
      expect(await count(store, "SELECT count() AS n FROM job_stats FINAL WHERE campaign = 'skip'")).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('stripscan store replay reports what it loaded and what it skipped, and exits 1', async () => {
    const spoolDir = join(dir, 'cli-spool');
    const { damaged, refused } = await badSpool(spoolDir);
    const r = await runCli(['store', 'replay', '--data-dir', join(dir, 'cli-data'), '--spool-dir', spoolDir]);
    expect(r.stdout).toMatch(new RegExp(`^replayed 3 spooled batches, 201 rows, from ${spoolDir} into `));
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^skipped ${damaged}: `));
    expect(lines[1]).toMatch(new RegExp(`^skipped ${refused}: ClickHouse at .* refused: `));
    expect(lines[2]).toBe(
      `stripscan: 2 spool files could not be loaded and stay in ${spoolDir} (reasons above) [E_SPOOL_SKIPPED]`,
    );
    expect(r.code).toBe(1);
    expect(existsSync(damaged) && existsSync(refused)).toBe(true);
  });
});
