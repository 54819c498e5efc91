/**
 * The embedded store's disk fills up in the middle of a scan. Its data
 * directory sits on a tmpfs of its own (mounted here: the tests run as
 * root); once rows have reached the store, the test fills what is left of the
 * tmpfs. Every insert then fails (ClickHouse's NOT_ENOUGH_SPACE, or ENOSPC on
 * the block file the embedded insert reads, which sits on that disk); the scan
 * must still finish with its summary, its rows, job_stats and the campaign's
 * end in the spool (which lives on that same full disk, and writes into the
 * room its reserve kept), and a replay after space is freed loads them
 * exactly once, however often it runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import { BIN, runCli } from '../helpers/run-cli.js';
import { count, rows } from './helpers/test-store.js';

const RANGE = '127.16.20.0/23';
const ADDRESSES = 512;

let dir: string;
let mount: string;
let fleet: Fleet;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-full-disk-'));
  mount = join(dir, 'disk');
  mkdirSync(mount);
  // The spool's reserve (32 MiB) and chDB's files, with a few MiB to spare.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mount]);
  fleet = await startFleet({ range: RANGE, port: 0, mix: 'even' });
});

afterAll(async () => {
  await fleet?.close();
  if (mount !== undefined && existsSync(mount)) execFileSync('umount', ['-l', mount]);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes zeros into `file` until the file system says ENOSPC. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Observation parts chDB has written (named like 202612_1_1_0): rows reached the store. */
function observationParts(dataDir: string): number {
  let found = 0;
  const walk = (d: string, depth: number): void => {
    if (depth > 4 || !existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      // Only observations and its rollup are partitioned by month; the other tables' parts are all_….
      if (/^\d{6}_\d+_\d+_\d+$/.test(e.name)) found += 1;
      else walk(join(d, e.name), depth + 1);
    }
  };
  walk(join(dataDir, 'store'), 0);
  return found;
}

describe('the data directory fills up mid-scan', () => {
  it('the scan finishes with its summary; rows and job_stats spool; a later replay loads them exactly once', async () => {
    const dataDir = join(mount, 'data');
    const migrated = await runCli(['migrate', '--data-dir', dataDir]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, fleet.caPem);
    const jsonl = join(dir, 'scan.jsonl');
    const scan = spawn(
      process.execPath,
      [
        BIN,
        'scan',
        RANGE,
        '--allow-reserved',
        '--port',
        String(fleet.port),
        '--ca-file',
        caFile,
        '--seed',
        '3',
        '--rate',
        '80',
        '--timeout',
        '3000',
        '--ehlo-name',
        'scan.example.org',
        '--campaign',
        'full',
        '--jsonl',
        jsonl,
        '--no-progress',
        '--data-dir',
        dataDir,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    scan.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => scan.on('close', (code) => resolve(code)));

    // Mid-scan: some rows are in the store, most addresses are still to come.
    const deadline = Date.now() + 30_000;
    while (observationParts(dataDir) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(observationParts(dataDir)).toBeGreaterThan(0);
    // Let that insert finish (its rollup and latest-state parts follow the first part).
    await new Promise((r) => setTimeout(r, 1_000));
    const filler = join(mount, 'filler');
    expect(fill(filler)).toBeGreaterThan(0);
    const probedWhenFull = [...fleet.stats.values()].reduce((a, b) => a + b, 0);

    expect(await exited, stderr).toBe(0);
    expect(probedWhenFull).toBeLessThan(ADDRESSES);
    expect(stderr).toMatch(/^scanned 512 targets in /m);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    const records = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string });
    const responsive = records.filter((r) => !r.outcome.startsWith('connect-')).length;
    const warning =
      /^stripscan: warning: (\d+) observations rows, 1 job_stats row, 1 campaigns row wait in (\S+) \(ClickHouse at \S+ has no space left: .*(?:NOT_ENOUGH_SPACE|ENOSPC).*\); load them with `stripscan store replay`/m.exec(
        stderr,
      );
    expect(warning, stderr).not.toBeNull();
    const spooledRows = Number(warning?.[1]);
    expect(warning?.[2]).toBe(join(dataDir, 'spool'));
    expect(spooledRows).toBeGreaterThan(0);
    expect(spooledRows).toBeLessThan(responsive);

    // Space is freed; a copy of the spool is kept to replay a second time.
    rmSync(filler);
    const copies = join(dir, 'spool-copy');
    mkdirSync(copies);
    const spoolDir = join(dataDir, 'spool');
    for (const f of readdirSync(spoolDir).filter((n) => n.endsWith('.spool'))) {
      copyFileSync(join(spoolDir, f), join(copies, f));
    }
    const replay = await runCli(['store', 'replay', '--data-dir', dataDir]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(new RegExp(`, ${spooledRows + 2} rows, from ${spoolDir} into `));
    const again = await runCli(['store', 'replay', '--data-dir', dataDir, '--spool-dir', copies]);
    expect(again.code, again.stderr).toBe(0);

    const store = await openStore({ dataDir });
    try {
      expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 'full'")).toBe(responsive);
      expect(await count(store, "SELECT uniqExact(ip) AS n FROM observations WHERE campaign = 'full'")).toBe(
        responsive,
      );
      expect(await count(store, "SELECT count() AS n FROM host_latest FINAL WHERE campaign = 'full'")).toBe(responsive);
      const jobs = await rows<{ attempted: number; responsive: number }>(
        store,
        "SELECT attempted, responsive FROM job_stats FINAL WHERE campaign = 'full'",
      );
      expect(jobs.map((j) => [Number(j.attempted), Number(j.responsive)])).toEqual([[ADDRESSES, responsive]]);
      const campaign = await rows<{ state: string; attempted: number }>(
        store,
        "SELECT state, attempted FROM campaigns FINAL WHERE campaign = 'full'",
      );
      expect(campaign.map((c) => [c.state, Number(c.attempted)])).toEqual([['done', ADDRESSES]]);
    } finally {
      await store.close();
    }
  }, 180_000);
});
