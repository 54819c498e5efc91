/**
 * Where the store's time goes: the three parts of bench/store-bench.ts's
 * figure measured apart, medians of 3 runs, each on a fresh data dir.
 *   serialize: ScanRecord → TabSeparated line in JS (observation-line.ts), one core;
 *   insert:    a ready TSV body into observations (full schema: views, ASN defaults);
 *   parse:     the same body into a Null-engine copy of observations, i.e. chDB's
 *              parser alone, with nothing stored: the floor of any TSV ingest.
 *
 * Run: npx tsx bench/store-floor.ts [rows per run, default 300,000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { observationLine } from '../src/store/observation-line.js';
import { syntheticRecords } from '../src/store/synthetic-records.js';
import { median } from './harness/median.js';

const rows = Number(process.argv[2] ?? 300_000);
const batchRows = 50_000;
if (!Number.isSafeInteger(rows) || rows < batchRows || rows % batchRows !== 0) {
  console.error(`rows per run: expected a multiple of ${batchRows}, got ${process.argv[2]}`);
  process.exit(2);
}

const records = syntheticRecords(batchRows, { seed: 1, campaign: 'floor', size: 'typical' });

function serializeRate(): number {
  const t0 = performance.now();
  const lines = records.map(observationLine);
  const ms = performance.now() - t0;
  if (lines.length !== batchRows) throw new Error('serialisation lost rows');
  return batchRows / (ms / 1000);
}

async function insertRate(nullEngine: boolean): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-floor-'));
  const store = await openStore({ dataDir });
  try {
    await store.migrate();
    if (nullEngine) {
      // Swap observations for a Null-engine copy (same columns and DEFAULTs,
      // no views): the store's own inserter then feeds the parser alone.
      for (const query of [
        'DROP VIEW host_latest_mv',
        'DROP VIEW observations_daily_mv',
        'CREATE TABLE observations_null AS observations ENGINE = Null',
        'DROP TABLE observations',
        'RENAME TABLE observations_null TO observations',
      ]) {
        await store.client.command({ query });
      }
    }
    const body = Buffer.from(records.map(observationLine).join('\n'));
    const t0 = performance.now();
    for (let i = 0; i < rows / batchRows; i++) await store.insertObservations(body, `floor-${i}`);
    return rows / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const result: Record<string, number[]> = { serialize: [], insert: [], parse: [] };
for (let run = 0; run < 3; run++) {
  result.serialize?.push(serializeRate());
  result.insert?.push(await insertRate(false));
  result.parse?.push(await insertRate(true));
}
for (const [part, rates] of Object.entries(result)) {
  console.log(`${part}: median ${Math.round(median(rates))} rows/s (${rates.map((r) => Math.round(r)).join(' / ')})`);
}
