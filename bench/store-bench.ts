/**
 * Rows per second sustained into the store from one writer: records go
 * through writer.write() (the check, Native encoding, dedup-token hashing,
 * batching and the insert all inside the clock), median of 3 runs, each on a
 * fresh data dir. The loop lets the event loop turn every 1,000 records, as a
 * scanner does between the I/O callbacks that produce its records: without
 * it, no insert would start before the writer's backpressure (200,000 rows).
 * Each run also prints the process's CPU time and how busy the main thread
 * (the scanner's core) was.
 *
 * Run: npx tsx bench/store-bench.ts [rows per run, default 1,000,000] [typical|heavy]
 *   typical: transcripts of 200-500 bytes, ~700 B per row as Native (most responsive hosts)
 *   heavy:   long EHLO replies and banners, ~2.8 KB per row (pessimistic)
 * With STRIPSCAN_BENCH_CLICKHOUSE_URL set, measures that server instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import { createWriter, openStore } from '../src/store/index.js';
import { syntheticRecords } from '../src/store/synthetic-records.js';
import { median } from './harness/median.js';

const rows = Number(process.argv[2] ?? 1_000_000);
if (!Number.isSafeInteger(rows) || rows < 1) {
  console.error(`rows per run: expected a whole number from 1 up, got ${process.argv[2]}`);
  process.exit(2);
}
const size = process.argv[3] === 'heavy' ? 'heavy' : 'typical';
const chunk = 100_000;
const serverUrl = process.env.STRIPSCAN_BENCH_CLICKHOUSE_URL;

async function oneRun(run: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-bench-'));
  const store = await openStore(serverUrl ? { url: serverUrl } : { dataDir });
  await store.migrate();
  // Records are generated before the clock starts: the scanner pays that cost, not the store.
  const records = syntheticRecords(chunk, { seed: run, campaign: `bench-${run}-${Date.now()}`, size });
  // No spool reserve: its 32 MiB of zeros would be written inside the timed run, and nothing spools here.
  const writer = createWriter(store, { batchRows: 50_000, replaySpoolOnStart: false, spoolReserveBytes: 0 });
  const cpu0 = process.cpuUsage();
  const loop0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  for (let written = 0; written < rows; written += chunk) {
    const job = `job-${written}`;
    // The last round may be short: exactly `rows` rows, whatever their multiple.
    const n = Math.min(chunk, rows - written);
    for (let i = 0; i < n; i++) {
      const w = writer.write({ ...(records[i] as (typeof records)[number]), job });
      if (w) await w;
      else if (i % 1_000 === 999) await turn();
    }
  }
  await writer.close();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainThread = performance.eventLoopUtilization(loop0);
  const counted = await (
    await store.client.query({ query: 'SELECT count() AS n FROM observations', format: 'JSONEachRow' })
  ).json<{ n: number }>();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const rate = rows / seconds;
  console.log(
    `run ${run}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rate)} rows/s, process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, main thread busy ${(mainThread.active / 1000).toFixed(2)} s (table holds ${counted[0]?.n}; load average ${loadavg()[0]?.toFixed(1)})`,
  );
  if (counted[0]?.n !== rows && !serverUrl) throw new Error(`expected ${rows} rows in the table`);
  return rate;
}

const rates: number[] = [];
for (let run = 1; run <= 3; run++) rates.push(await oneRun(run));
console.log(
  `median: ${Math.round(median(rates))} rows/s (${serverUrl ? 'server' : 'embedded chDB'}, ${size} rows, ${rows} rows per run)`,
);
