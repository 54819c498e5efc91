/**
 * Crash safety and lifecycle, on real processes and a real Redis: a worker
 * killed with SIGKILL mid-chunk, the writer killed, Redis restarted, pause and
 * resume, cancel, and a chunk whose payload is invalid. Afterwards every
 * target of every completed campaign is in the store exactly once.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness, type Proc } from './harness.js';
import { readStoredCampaign } from './store-check.js';

const QUICK = ['--chunk-size', '32', '--timeout', '2000'];

describe('crash safety and lifecycle', () => {
  let h: Harness;
  let writer: Proc;
  const finished: string[] = [];
  const hash = (name: string) => `${h.prefix}:stripscan:campaign:${name}`;
  const counter = async (name: string, field: string) => Number((await h.client.hget(hash(name), field)) ?? 0);
  const chunksTotal = async (name: string) =>
    (JSON.parse((await h.client.hget(hash(name), 'spec')) ?? '{}') as { chunksTotal: number }).chunksTotal;
  const untilDone = (name: string, ms = 40_000) =>
    waitFor(
      `${name} done`,
      () => h.state(name),
      (s) => s === 'done',
      ms,
    );

  beforeAll(async () => {
    h = await startHarness(`crash-${process.pid}`);
    writer = h.spawnWriter();
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('kill -9 of a worker mid-chunk: the chunk runs again after its lock expires and is counted once', async () => {
    await h.createCampaign('k9', '127.16.4.0/25', QUICK);
    expect((await h.cli(['campaign', 'start', 'k9'])).code).toBe(0);
    const victim = h.spawnWorker('k9');
    // Mid-chunk: probes have started (the fleet saw connections) but nothing is committed.
    const before = [...h.fleet.stats.values()].reduce((a, b) => a + b, 0);
    await waitFor(
      'first probes',
      async () => [...h.fleet.stats.values()].reduce((a, b) => a + b, 0) - before,
      (n) => n >= 5,
      20_000,
    );
    expect(await counter('k9', 'doneChunks')).toBe(0);
    await victim.kill9();
    const rescuer = h.spawnWorker('k9', ['--exit-when-done']);
    await untilDone('k9');
    expect(await rescuer.exit()).toBe(0);
    expect(await counter('k9', 'attempted')).toBe(128);
    expect(await counter('k9', 'doneChunks')).toBe(await chunksTotal('k9'));
    finished.push('k9');
  });

  it('killing the writer: the backlog waits in Redis, a new writer stores it, nothing lost or doubled', async () => {
    await h.createCampaign('wk', '127.16.5.0/25', QUICK);
    await writer.kill9();
    const worker = h.spawnWorker('wk', ['--exit-when-done']);
    expect((await h.cli(['campaign', 'start', 'wk'])).code).toBe(0);
    await untilDone('wk');
    expect(await worker.exit()).toBe(0);
    const stream = `${h.prefix}:stripscan:results`;
    // campaign entry + 5 chunks (130 positions / 32) + campaign-end, all waiting for a writer.
    expect(await h.client.xlen(stream)).toBeGreaterThanOrEqual(6);
    const status = JSON.parse((await h.cli(['campaign', 'status', 'wk', '--json'])).stdout) as {
      writerBacklog: number;
    };
    expect(status.writerBacklog).toBeGreaterThanOrEqual(6);
    writer = h.spawnWriter();
    await waitFor(
      'backlog drained',
      () => h.client.xlen(stream),
      (n) => n === 0,
      30_000,
    );
    finished.push('wk');
  });

  it('Redis stopped and restarted mid-campaign: workers and writer reconnect, the campaign completes', async () => {
    await h.createCampaign('rr', '127.16.6.0/25', QUICK);
    const workers = [h.spawnWorker('rr', ['--exit-when-done']), h.spawnWorker('rr', ['--exit-when-done'])];
    expect((await h.cli(['campaign', 'start', 'rr'])).code).toBe(0);
    await waitFor(
      'a chunk committed',
      () => counter('rr', 'doneChunks'),
      (n) => n >= 1,
      30_000,
    );
    await h.redis.restart(1_000);
    await untilDone('rr', 60_000);
    for (const c of await Promise.all(workers.map((w) => w.stop()))) expect([0, 'SIGTERM']).toContain(c);
    expect(await counter('rr', 'attempted')).toBe(128);
    finished.push('rr');
  });

  it('pause stops new chunks, resume finishes the campaign', async () => {
    await h.createCampaign('pr', '127.16.7.0/25', QUICK);
    expect((await h.cli(['campaign', 'start', 'pr'])).code).toBe(0);
    expect((await h.cli(['campaign', 'pause', 'pr'])).code).toBe(0);
    const worker = h.spawnWorker('pr', ['--exit-when-done']);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await counter('pr', 'doneChunks')).toBe(0);
    expect(await h.state('pr')).toBe('paused');
    const again = await h.cli(['campaign', 'pause', 'pr']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/campaign pr is paused: cannot pause/);
    expect((await h.cli(['campaign', 'resume', 'pr'])).code).toBe(0);
    await untilDone('pr');
    expect(await worker.exit()).toBe(0);
    expect(await counter('pr', 'attempted')).toBe(128);
    finished.push('pr');
  });

  it('cancel drops waiting chunks and ends the campaign short', async () => {
    await h.createCampaign('cx', '127.16.8.0/24', QUICK);
    const worker = h.spawnWorker('cx', ['--exit-when-done']);
    expect((await h.cli(['campaign', 'start', 'cx'])).code).toBe(0);
    await waitFor(
      'a chunk committed',
      () => counter('cx', 'doneChunks'),
      (n) => n >= 1,
      30_000,
    );
    expect((await h.cli(['campaign', 'cancel', 'cx'])).code).toBe(0);
    expect(await worker.exit()).toBe(0);
    expect(await h.state('cx')).toBe('cancelled');
    const status = JSON.parse((await h.cli(['campaign', 'status', 'cx', '--json'])).stdout) as {
      chunksDone: number;
      chunksTotal: number;
      jobs: { waiting: number };
    };
    expect(status.chunksDone).toBeLessThan(status.chunksTotal);
    expect(status.jobs.waiting).toBe(0);
  });

  it('a chunk with an invalid payload fails once with a clear reason, not retried', async () => {
    await h.createCampaign('inv', '127.16.9.0/27', QUICK);
    expect((await h.cli(['campaign', 'start', 'inv'])).code).toBe(0);
    const queue = new Queue('campaign-inv', { connection: h.client, prefix: h.prefix });
    try {
      await queue.add('chunk', { campaign: 'inv', index: -3, chunk: 'everything' }, { jobId: 'bad-1', attempts: 5 });
      const worker = h.spawnWorker('inv', ['--exit-when-done']);
      await untilDone('inv');
      const bad = await waitFor(
        'the bad job failed',
        () => queue.getJob('bad-1'),
        (j) => j?.failedReason !== undefined,
        20_000,
      );
      expect(bad?.failedReason).toMatch(/^invalid chunk payload: index: /);
      expect(bad?.attemptsMade).toBe(1);
      expect(await worker.exit()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('every finished campaign is stored exactly once per responsive target', async () => {
    await waitFor(
      'backlog drained',
      () => h.client.xlen(`${h.prefix}:stripscan:results`),
      (n) => n === 0,
      30_000,
    );
    expect(await writer.stop()).toBe(0);
    for (const name of finished) {
      const stored = await readStoredCampaign(h.dataDir, name);
      expect({ name, attempted: stored.attempted, jobs: stored.jobs }).toEqual({
        name,
        attempted: 128,
        jobs: await chunksTotal(name),
      });
      expect(stored.rows).toBe(await counter(name, 'responsive'));
      expect(stored.distinctIps).toBe(stored.rows);
      expect(stored.latestRows).toBe(stored.rows);
    }
  });
});
