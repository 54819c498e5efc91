/**
 * Where the store's time goes: the parts of bench/store-bench.ts's figure
 * measured apart, medians of 3 runs (each insert run on a fresh data dir),
 * with the process's CPU time per row beside the wall-clock rate (on a shared
 * machine CPU time moves less with the load than wall time does):
 *   check:   checkRecord() per record, in JS;
 *   encode:  records → Native blocks (observation-batch.ts), in JS, one core;
 *   insert:  a ready Native body into observations (the full schema: views,
 *            ASN defaults), through the store's own inserter;
 *   parse:   the same body into a Null-engine copy of observations: reading
 *            the block file and converting it, with nothing stored;
 *   store:   the same rows from a Memory table into observations: storing
 *            alone, with nothing to parse.
 *
 * Run: npx tsx bench/store-floor.ts [rows per run, default 300,000] [typical|heavy]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/store/index.js';
import { checkRecord } from '../src/store/check-record.js';
import { OBSERVATION_COLUMNS } from '../src/store/observation-block.js';
import { ObservationBatch } from '../src/store/observation-batch.js';
import { syntheticRecords } from '../src/store/synthetic-records.js';
import { median } from './harness/median.js';

const rows = Number(process.argv[2] ?? 300_000);
const size = process.argv[3] === 'heavy' ? 'heavy' : 'typical';
const batchRows = 50_000;
if (!Number.isSafeInteger(rows) || rows < batchRows || rows % batchRows !== 0) {
  console.error(`rows per run: expected a multiple of ${batchRows}, got ${process.argv[2]}`);
  process.exit(2);
}

const records = syntheticRecords(batchRows, { seed: 1, campaign: 'floor', size });
const encoder = new ObservationBatch();

interface Rate {
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
}

async function timed(n: number, work: () => Promise<void> | void): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rowsPerSecond: n / seconds, cpuMicrosPerRow: (cpu.user + cpu.system) / n };
}

function encodeBody(): { body: Buffer; release(): void } {
  for (const r of records) encoder.add(r);
  return encoder.take();
}

async function withStore(work: (store: Store) => Promise<Rate>): Promise<Rate> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-floor-'));
  const store = await openStore({ dataDir });
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const command = (store: Store, query: string) => store.client.command({ query });

async function insertRate(nullEngine: boolean): Promise<Rate> {
  return withStore(async (store) => {
    if (nullEngine) {
      // Swap observations for a Null-engine copy (same columns and DEFAULTs,
      // no views): the store's own inserter then feeds the reader alone.
      for (const query of [
        'DROP VIEW host_latest_v2_mv',
        'DROP VIEW observations_daily_v2_mv',
        'CREATE TABLE observations_null AS observations ENGINE = Null',
        'DROP TABLE observations',
        'RENAME TABLE observations_null TO observations',
      ]) {
        await command(store, query);
      }
    }
    const encoded = encodeBody();
    try {
      return await timed(rows, async () => {
        for (let i = 0; i < rows / batchRows; i++) await store.insertObservations(encoded.body, `floor-${i}`, 'Native');
      });
    } finally {
      encoded.release();
    }
  });
}

async function storeRate(): Promise<Rate> {
  return withStore(async (store) => {
    const columns = OBSERVATION_COLUMNS.join(', ');
    const encoded = encodeBody();
    await store.insertObservations(encoded.body, 'seed', 'Native');
    encoded.release();
    await command(store, `CREATE TABLE ready ENGINE = Memory AS SELECT ${columns} FROM observations`);
    for (const table of ['observations', 'observations_daily', 'host_latest'])
      await command(store, `TRUNCATE TABLE ${table}`);
    return timed(rows, async () => {
      for (let i = 0; i < rows / batchRows; i++) {
        await command(
          store,
          `INSERT INTO observations (${columns}) SETTINGS insert_deduplication_token = 'floor-${i}' SELECT ${columns} FROM ready`,
        );
      }
    });
  });
}

const parts = {
  check: () => timed(batchRows, () => records.forEach(checkRecord)),
  encode: () => timed(batchRows, () => encodeBody().release()),
  insert: () => insertRate(false),
  parse: () => insertRate(true),
  store: () => storeRate(),
};
const results = new Map<string, Rate[]>();
let bodyBytes = 0;
{
  const encoded = encodeBody();
  bodyBytes = encoded.body.length;
  encoded.release();
}
for (let run = 0; run < 3; run++) {
  for (const [part, measure] of Object.entries(parts)) {
    const list = results.get(part) ?? [];
    list.push(await measure());
    results.set(part, list);
  }
}
console.log(
  `${size} rows, ${Math.round(bodyBytes / batchRows)} bytes each as Native, batches of ${batchRows}; load average ${loadavg()[0]?.toFixed(1)}`,
);
for (const [part, rates] of results) {
  const perSecond = rates.map((r) => r.rowsPerSecond);
  const cpu = rates.map((r) => r.cpuMicrosPerRow);
  console.log(
    `${part}: median ${Math.round(median(perSecond))} rows/s (${perSecond.map((r) => Math.round(r)).join(' / ')}), CPU ${median(cpu).toFixed(2)} µs/row (${cpu.map((c) => c.toFixed(2)).join(' / ')})`,
  );
}
