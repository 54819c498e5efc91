/**
 * Which binary format chDB 3.4 reads fastest into observations: the same
 * 50,000 rows as TabSeparated, RowBinary, Native and Parquet files (written
 * by chDB itself, so that only the engine's side is measured), each inserted
 * `FROM INFILE` and through `INSERT … SELECT FROM file()`, into the full
 * table (views, ASN defaults) and into a Null-engine copy (reading and
 * converting only). Wall-clock rows/s and the process's CPU time per row,
 * medians of 3 rounds, the variants interleaved within each round.
 *
 * Run: npx tsx bench/store-formats.ts [typical|heavy]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { OBSERVATION_COLUMNS, OBSERVATION_STRUCTURE } from '../src/store/observation-block.js';
import { ObservationBatch } from '../src/store/observation-batch.js';
import { syntheticRecords } from '../src/store/synthetic-records.js';
import { median } from './harness/median.js';

const size = process.argv[2] === 'heavy' ? 'heavy' : 'typical';
const ROWS = 50_000;
const INSERTS = 4;
const FORMATS = ['TabSeparated', 'RowBinary', 'Native', 'Parquet'] as const;

const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-formats-'));
const files = mkdtempSync(join(tmpdir(), 'stripscan-formats-files-'));
const store = await openStore({ dataDir });
try {
  await store.migrate();
  const command = (query: string) => store.client.command({ query });
  const columns = OBSERVATION_COLUMNS.join(', ');
  const structure = OBSERVATION_STRUCTURE.replaceAll("'", "\\'");
  const batch = new ObservationBatch();
  for (const r of syntheticRecords(ROWS, { seed: 1, campaign: 'formats', size })) batch.add(r);
  await store.insertObservations(batch.take().body, 'seed', 'Native');
  for (const f of FORMATS) {
    await command(
      `INSERT INTO FUNCTION file('${files}/rows.${f}', '${f}', '${structure}') SELECT ${columns} FROM observations`,
    );
  }
  for (const table of ['observations', 'observations_daily', 'host_latest']) await command(`TRUNCATE TABLE ${table}`);
  await command('CREATE TABLE observations_null AS observations ENGINE = Null');

  let token = 0;
  const settings = () =>
    `insert_deduplication_token = 'formats-${token++}', date_time_input_format = 'best_effort', parallel_view_processing = 1, optimize_on_insert = 0`;
  const variants = FORMATS.flatMap((f) => [
    {
      name: `${f} FROM INFILE`,
      sql: (table: string) =>
        `INSERT INTO ${table} (${columns}) FROM INFILE '${files}/rows.${f}' SETTINGS ${settings()} FORMAT ${f}`,
    },
    {
      name: `${f} SELECT FROM file()`,
      sql: (table: string) =>
        `INSERT INTO ${table} (${columns}) SETTINGS ${settings()} SELECT ${columns} FROM file('${files}/rows.${f}', '${f}', '${structure}')`,
    },
  ]);
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < 3; round++) {
    for (const table of ['observations', 'observations_null']) {
      for (const v of variants) {
        const key = `${table === 'observations' ? 'full table' : 'Null engine'}, ${v.name}`;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < INSERTS; i++) await command(v.sql(table));
        const seconds = (performance.now() - t0) / 1000;
        const used = process.cpuUsage(cpu0);
        wall.set(key, [...(wall.get(key) ?? []), (INSERTS * ROWS) / seconds]);
        cpu.set(key, [...(cpu.get(key) ?? []), (used.user + used.system) / (INSERTS * ROWS)]);
      }
    }
  }
  console.log(`${size} rows; load average ${loadavg()[0]?.toFixed(1)}; bytes per row:`);
  for (const f of FORMATS) console.log(`  ${f}: ${Math.round(statSync(`${files}/rows.${f}`).size / ROWS)}`);
  for (const [key, rates] of wall) {
    const micros = cpu.get(key) ?? [];
    console.log(
      `${key}: median ${Math.round(median(rates))} rows/s (${rates.map(Math.round).join(' / ')}), CPU ${median(micros).toFixed(2)} µs/row`,
    );
  }
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
}
