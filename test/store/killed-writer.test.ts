/**
 * A writer process SIGKILLed mid-run and restarted on the same data dir loses
 * nothing and counts nothing twice: the restarted run writes the same records
 * again, the batches that did reach the store are dropped by their dedup
 * tokens, and a batch left in the spool by an earlier outage is replayed once.
 * Embedded only: the point is chDB's data dir surviving a killed owner.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { batchDedupToken } from '../../src/store/dedup-token.js';
import { ObservationBatch } from '../../src/store/observation-batch.js';
import { spoolBatch } from '../../src/store/spool.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { count } from './helpers/test-store.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'writer-child.ts');
const TOTAL = 8_000;
const BATCH = 400;

interface ChildRun {
  output: string;
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Runs the writer child; kills it with SIGKILL once it reports `killAfter` inserted batches. */
function runChild(dataDir: string, killAfter?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(TOTAL), String(BATCH)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      const inserted = [...output.matchAll(/inserted (\d+)/g)].map((m) => Number(m[1]));
      if (killAfter !== undefined && Math.max(0, ...inserted) >= killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      if (killAfter === undefined && code !== 0) reject(new Error(`writer child failed (${code}): ${errors}`));
      else resolve({ output, signal, code });
    });
  });
}

describe('killed writer', () => {
  it('a writer SIGKILLed mid-run and restarted on the same data dir stores every record exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-killed-'));
    try {
      const records = syntheticRecords(TOTAL, { seed: 42, campaign: 'killed', job: 'job-1' });
      // An earlier outage left the first batch of this job in the spool (the
      // same rows and token the writer produces), and a crash mid-spool left
      // a half-written .tmp file that must be ignored.
      const spoolDir = join(dataDir, 'spool');
      mkdirSync(spoolDir, { recursive: true });
      const encoder = new ObservationBatch();
      for (const r of records.slice(0, BATCH)) encoder.add(r);
      const first = encoder.take();
      await spoolBatch(spoolDir, {
        table: 'observations',
        format: 'Native',
        token: batchDedupToken('killed', 'job-1', 0, first.digest),
        body: first.body,
        rows: BATCH,
      });
      writeFileSync(join(spoolDir, '.000000000000001-1-dead.spool.tmp'), '{"stripscan_spool":2,"dedup');

      const killed = await runChild(dataDir, 5);
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.output).not.toContain('done');

      const finished = await runChild(dataDir);
      expect(finished.output).toContain('done');
      expect(readdirSync(spoolDir).filter((n) => n.endsWith('.spool'))).toEqual([]);

      const store = await openStore({ dataDir });
      try {
        expect(await count(store, 'SELECT count() AS n FROM observations')).toBe(TOTAL);
        expect(await count(store, 'SELECT uniqExact(ip, port, ts) AS n FROM observations')).toBe(TOTAL);
        expect(await count(store, "SELECT sum(probes) AS n FROM observations_daily WHERE fingerprint = ''")).toBe(
          records.filter((r) => r.fingerprints.length === 0).length,
        );
        expect(await count(store, 'SELECT count() AS n FROM host_latest FINAL')).toBe(TOTAL);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
