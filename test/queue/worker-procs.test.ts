/**
 * `stripscan worker --procs N`: one worker command, N processes taking the
 * campaign's chunks. Every address is probed once and stored once, exactly
 * as N separate workers would; the copies end with the first process, even
 * when it is killed with SIGKILL.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from './harness.js';
import { readStoredCampaign } from './store-check.js';

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker --procs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(`wprocs-${process.pid}`, { range: '127.16.0.0/22' });
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('one worker command in three processes covers a /23 once, and counts match the fleet', async () => {
    await h.createCampaign('wp', '127.16.0.0/23', ['--chunk-size', '64', '--timeout', '4000']);
    const writer = h.spawnWriter();
    const worker = h.spawnWorker('wp', ['--procs', '3', '--exit-when-done']);
    expect((await h.cli(['campaign', 'start', 'wp'])).code).toBe(0);
    await waitFor(
      'three worker processes',
      async () => childrenOf(worker.child.pid ?? 0).length,
      (n) => n === 2,
      20_000,
    );
    await waitFor(
      'campaign done',
      () => h.state('wp'),
      (s) => s === 'done',
      90_000,
    );
    expect(await worker.exit()).toBe(0);
    await waitFor(
      'writer backlog drained',
      () => h.client.xlen(`${h.prefix}:stripscan:results`),
      (n) => n === 0,
      30_000,
    );
    expect(await writer.stop()).toBe(0);

    const expected: Record<string, number> = {};
    for (let i = 0; i < 512; i++) {
      const o = h.fleet.expectedFor(`127.16.${i >> 8}.${i & 255}`, h.fleet.port).outcome ?? 'unknown';
      if (!o.startsWith('connect-')) expected[o] = (expected[o] ?? 0) + 1;
    }
    const stored = await readStoredCampaign(h.dataDir, 'wp');
    expect(stored.attempted).toBe(512);
    expect(stored.distinctIps).toBe(stored.rows);
    expect(stored.outcomes).toEqual(expected);
  }, 150_000);

  it('a SIGKILL of the first process ends its copies too', async () => {
    await h.createCampaign('wk', '127.16.2.0/23', ['--rate', '20']);
    const worker = h.spawnWorker('wk', ['--procs', '2']);
    expect((await h.cli(['campaign', 'start', 'wk'])).code).toBe(0);
    const copies = await waitFor(
      'the copy',
      async () => childrenOf(worker.child.pid ?? 0),
      (c) => c.length === 1,
      20_000,
    );
    await worker.kill9();
    await waitFor(
      'the copy gone',
      async () => alive(copies[0] as number),
      (a) => !a,
      10_000,
    );
  }, 60_000);
});
