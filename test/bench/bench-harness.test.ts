/**
 * Keeps the bench from rotting: the real harness in a tiny mode (one run, 32
 * fleet hosts, the probe suite only: nothing installed, nothing downloaded)
 * must print the table and write a JSON result with positive numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChild } from '../../bench/harness/child.js';
import type { BenchRow } from '../../bench/harness/result.js';

describe('npm run bench (tiny mode)', () => {
  it('runs the probe suite against the fleet and reports positive medians', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-test-'));
    try {
      const out = join(dir, 'latest.json');
      const args = ['--runs', '1', '--only', 'probe', '--hosts', '32', '--probes', '100', '--no-install'];
      const result = await runChild(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, '--out', out], {
        timeoutMs: 19_000,
      });
      expect(result.stderr).not.toMatch(/failed/);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\| probe \| stripscan probe path +\| \d/);
      const json = JSON.parse(readFileSync(out, 'utf8')) as { rows: BenchRow[]; machine: { cores: number } };
      expect(json.machine.cores).toBeGreaterThan(0);
      const metrics = json.rows.map((r) => r.metric);
      expect(metrics).toEqual([
        'stripscan probe path',
        'stripscan ÷ floor loop, per interleaved pair',
        'floor loop (bench/floor-loop.ts)',
        'floor loop + readCertFacts',
        'floor loop over the STARTTLS tap',
        'floor ÷ stripscan CPU per probe, per interleaved pair',
      ]);
      for (const row of json.rows) {
        expect(row.runs).toHaveLength(1);
        expect(row.median).toBeGreaterThan(0);
      }
      expect(json.rows[0]?.ratio?.value).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('exits 2 naming a bad flag value', async () => {
    const procs = await runChild(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--procs', '0'], {
      timeoutMs: 15_000,
    });
    expect(procs.code).toBe(2);
    expect(procs.stderr).toContain('--procs "0"');
    const result = await runChild(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'probe,bogus'], {
      timeoutMs: 15_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--only "bogus"');
  }, 20_000);
});
