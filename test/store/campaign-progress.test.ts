/**
 * A campaign's state, progress and end in the store, and what the report
 * makes of them: a local scan stopped with SIGINT is recorded as cancelled
 * with the addresses it reached, and the report says how far it got.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCompleteness, type CampaignProgress } from '../../src/report/index.js';
import { startFleet } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import { BIN, runCli } from '../helpers/run-cli.js';
import { rows } from './helpers/test-store.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('how complete a campaign is, in words', () => {
  const base: CampaignProgress = {
    state: 'running',
    ended_at: null,
    addresses_total: 0,
    chunks_total: 0,
    chunks_done: 0,
    chunks_failed: 0,
    progress_attempted: 0,
  };
  it.each<[string, Partial<CampaignProgress>, string]>([
    [
      'a cancelled distributed campaign',
      { state: 'cancelled', ended_at: '2024-05-01', chunks_total: 1024, chunks_done: 412 },
      'cancelled at 40 % (412 of 1,024 chunks)',
    ],
    [
      'a finished one',
      { state: 'done', ended_at: 'x', chunks_total: 8, chunks_done: 8 },
      'done: 100 % (8 of 8 chunks)',
    ],
    [
      'a state this code never heard of, with failures',
      { state: 'done-with-failures', ended_at: 'x', chunks_total: 200, chunks_done: 199, chunks_failed: 1 },
      'done-with-failures at 99 % (199 of 200 chunks, 1 failed)',
    ],
    ['a running one', { chunks_total: 3, chunks_done: 1, addresses_total: 9 }, 'running: 33 % so far (1 of 3 chunks)'],
    [
      'a cancelled local scan counts addresses',
      { state: 'cancelled', ended_at: 'x', chunks_total: 1, addresses_total: 256, progress_attempted: 97 },
      'cancelled at 37 % (97 of 256 addresses)',
    ],
    [
      'a row from before migration 0006',
      { state: '' },
      'progress unknown (stored before stripscan recorded campaign progress)',
    ],
  ])('%s', (_name, progress, words) => {
    expect(describeCompleteness({ ...base, ...progress })).toBe(words);
  });
});

describe('a local scan stopped with SIGINT', () => {
  it('is stored as cancelled with how far it got, and the report says so', async () => {
    const fleet = await startFleet({ range: '127.16.24.0/24', port: 0, mix: 'even' });
    const dataDir = join(dir, 'data');
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, fleet.caPem);
      const child = spawn(
        process.execPath,
        [
          BIN,
          'scan',
          '127.16.24.0/24',
          '--allow-reserved',
          '--port',
          String(fleet.port),
          '--ca-file',
          caFile,
          '--seed',
          '5',
          '--rate',
          '40',
          // Few probes queued for a token: they are the ones that still run after SIGINT.
          '--concurrency',
          '8',
          '--timeout',
          '2000',
          '--ehlo-name',
          'scan.example.org',
          '--campaign',
          'stopped',
          '--no-progress',
          '--data-dir',
          dataDir,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const probes = () => [...fleet.stats.values()].reduce((a, b) => a + b, 0);
      const deadline = Date.now() + 30_000;
      while (probes() < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
      expect(stderr).toMatch(/^campaign stopped \(cancelled\)$/m);
      const attempted = Number(/^scanned (\d+) targets/m.exec(stderr)?.[1]);
      expect(attempted).toBeGreaterThanOrEqual(40);
      expect(attempted).toBeLessThan(256);

      const store = await openStore({ dataDir });
      try {
        const stored = await rows<Record<string, unknown>>(
          store,
          `SELECT state, ended_at IS NOT NULL AS ended, attempted, addresses_total, chunks_total, chunks_done
           FROM campaigns FINAL WHERE campaign = 'stopped'`,
        );
        expect(stored.map((r) => Object.values(r).map(String))).toEqual([
          ['cancelled', '1', String(attempted), '256', '1', '0'],
        ]);
      } finally {
        await store.close();
      }
      const html = join(dir, 'report.html');
      const report = await runCli(['report', '--campaign', 'stopped', '--html', html, '--data-dir', dataDir]);
      expect(report.code, report.stderr).toBe(0);
      const percent = Math.floor((100 * attempted) / 256);
      const words = `cancelled at ${percent} % (${attempted} of 256 addresses)`;
      expect(report.stderr).toMatch(new RegExp(`; campaign ${words.replace(/[()]/g, '\\$&')}\\n$`));
      expect(readFileSync(html, 'utf8')).toContain(`Campaign ${words}.`);
    } finally {
      await fleet.close();
    }
  }, 120_000);
});
