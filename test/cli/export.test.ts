/** `stripscan export` through the real CLI against embedded chDB, after a real scan of the fleet. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet } from '../../src/sim/index.js';
import { runCli } from '../helpers/run-cli.js';

const RANGE = '127.16.3.0/28';
let dir: string;
let dataDir: string;
const exportCli = (args: string[]) => runCli(['export', '--data-dir', dataDir, ...args], { timeoutMs: 60_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-export-'));
  dataDir = join(dir, 'data');
  const fleet = await startFleet({ range: RANGE, limits: { idleMs: 2_000 } });
  try {
    const scan = await runCli(
      [
        'scan',
        RANGE,
        '--allow-reserved',
        '--port',
        String(fleet.port),
        '--campaign',
        'exp1',
        '--data-dir',
        dataDir,
        '--timeout',
        '1500',
        '--rate',
        '0',
        '--no-progress',
      ],
      { timeoutMs: 60_000 },
    );
    expect(scan.code, scan.stderr).toBe(0);
  } finally {
    await fleet.close();
  }
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stripscan export', () => {
  it('refuses an unknown campaign with exit 2, naming it and the recent ones, and writes no file', async () => {
    const out = join(dir, 'nope.jsonl');
    const r = await exportCli(['--campaign', 'nope', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--campaign "nope": no such campaign in .*; recent ones: exp1\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('writes JSON lines to stdout for -, and says on stderr how many rows', async () => {
    const r = await exportCli(['--campaign', 'exp1', '-']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ campaign: 'exp1', port: expect.any(Number) });
    expect(r.stderr).toBe(`exported ${lines.length} rows of campaign exp1 to stdout (jsonl)\n`);
    expect(existsSync('-')).toBe(false);
  });

  it('writes a CSV file with a header and names it with its row count', async () => {
    const out = join(dir, 'exp1.csv');
    const r = await exportCli(['--campaign', 'exp1', '--format', 'csv', out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^"campaign",.*"ip","ts","asn","country","asn_dataset"\n/);
    // A transcript spans lines inside its quotes; every row starts with its campaign.
    const rows = text.split('\n').filter((line) => line.startsWith('"exp1",')).length;
    expect(rows).toBeGreaterThan(5);
    expect(r.stderr).toBe(`exported ${rows} rows of campaign exp1 to ${out} (csv)\n`);
  });

  it('names a missing folder with exit 2, before opening the store', async () => {
    const out = join(dir, 'no', 'such', 'folder', 'x.parquet');
    const r = await exportCli(['--campaign', 'exp1', '--format', 'parquet', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`stripscan: ${out}: folder ${join(dir, 'no', 'such', 'folder')} does not exist\n`);
  });
});
