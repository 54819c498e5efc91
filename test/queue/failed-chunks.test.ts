/**
 * Campaigns that finish, on real worker processes and a real Redis: a chunk
 * that fails for good is recorded with its last error, the campaign ends as
 * done-with-failures instead of running for ever, `campaign retry` queues the
 * chunk again and the campaign then finishes as done. The failures are real:
 * a job under a chunk's id whose payload is not that chunk (what a buggy or
 * hostile producer leaves; BullMQ never retries it), and a result stream that
 * Redis refuses to append to (every attempt fails, BullMQ's five attempts
 * with back-off are used up). And a chunk whose job vanished (Redis lost the
 * write: AOF syncs once a second) is queued again when the queue runs dry.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCampaign } from '../../src/queue/campaign-store.js';
import { startHarness, waitFor, type Harness } from './harness.js';

const QUICK = ['--chunk-size', '32', '--timeout', '2000'];

interface Status {
  state: string;
  addressesDone: number;
  chunksDone: number;
  chunksTotal: number;
  chunksFailed: number;
  failedChunks: { index: number; job: string; error: string; attempts: number; failedAt: string }[];
  etaSeconds: number | null;
}

describe('chunks that fail for good', () => {
  let h: Harness;
  const hash = (name: string) => `${h.prefix}:stripscan:campaign:${name}`;
  const stream = () => `${h.prefix}:stripscan:results`;
  const counter = async (name: string, field: string) => Number((await h.client.hget(hash(name), field)) ?? 0);
  const status = async (name: string) =>
    JSON.parse((await h.cli(['campaign', 'status', name, '--json'])).stdout) as Status;
  const until = (name: string, state: string, ms = 40_000) =>
    waitFor(
      `${name} ${state}`,
      () => h.state(name),
      (s) => s === state,
      ms,
    );

  beforeAll(async () => {
    h = await startHarness(`failed-${process.pid}`);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('a chunk whose payload can never run: failed with its error, done-with-failures, retried, done', async () => {
    await h.createCampaign('inj', '127.16.20.0/26', QUICK);
    const total = (await status('inj')).chunksTotal;
    expect(total).toBeGreaterThanOrEqual(3);
    const queue = new Queue('campaign-inj', { connection: h.client, prefix: h.prefix });
    try {
      // Under chunk 1's id, so the feeder's own add of chunk 1 is ignored as a duplicate.
      await queue.add(
        'chunk',
        { campaign: 'inj', index: 1, chunk: { seed: '7', shard: 0, shards: 1, start: 32, count: 999 } },
        { jobId: 'chunk-1', attempts: 5 },
      );
      const worker = h.spawnWorker('inj', ['--exit-when-done']);
      expect((await h.cli(['campaign', 'start', 'inj'])).code).toBe(0);
      await until('inj', 'done-with-failures');
      expect(await worker.exit()).toBe(0);
      expect(worker.output()).toMatch(/chunk chunk-1 failed for good after 1 attempt\(s\): invalid chunk payload/);

      const failed = await status('inj');
      expect(failed).toMatchObject({ state: 'done-with-failures', chunksDone: total - 1, chunksFailed: 1 });
      expect(failed.etaSeconds).toBeNull();
      // What the writer mirrors into the store's campaigns table.
      const record = await readCampaign(h.client, h.prefix, 'inj');
      expect(record).toMatchObject({
        state: 'done-with-failures',
        doneChunks: total - 1,
        failedChunks: 1,
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(record.counters.attempted).toBe(failed.addressesDone);
      expect(record.counters.attempted).toBeLessThan(64);
      expect(failed.failedChunks).toEqual([
        {
          index: 1,
          job: 'chunk-1',
          attempts: 1,
          error: expect.stringMatching(
            /^invalid chunk payload: chunk 1 \{.*"count":999\} is not chunk 1 of campaign inj/,
          ),
          failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);
      const text = (await h.cli(['campaign', 'status', 'inj'])).stdout;
      expect(text).toContain(`chunks     ${total - 1} / ${total} done, 1 failed`);
      expect(text).toContain('failed chunks (`stripscan campaign retry inj` runs them again):');
      expect(text).toMatch(/^ {4}chunk-1 after 1 attempt\(s\): invalid chunk payload: chunk 1 /m);
      expect(text).not.toContain('ETA');
      expect((await h.cli(['campaign', 'list'])).stdout).toContain(
        `inj\tdone-with-failures\t${total - 1}/${total} chunks, 1 failed\n`,
      );
      const idle = await h.cli(['worker', '--campaign', 'inj'], 20_000);
      expect({ code: idle.code, stderr: idle.stderr }).toEqual({
        code: 0,
        stderr:
          'worker: campaign inj is done-with-failures (1 failed chunk(s): `stripscan campaign retry inj` runs them again); nothing to do\n',
      });

      // The record of the failure lost (a worker killed between BullMQ failing the job and
      // recording it): the next worker's settling finds the job in BullMQ's failed set.
      await h.client.hdel(`${hash('inj')}:failed`, '1');
      await h.client.hset(hash('inj'), 'state', 'running');
      const settler = h.spawnWorker('inj', ['--exit-when-done']);
      await until('inj', 'done-with-failures');
      expect(await settler.exit()).toBe(0);
      expect((await status('inj')).failedChunks.map((f) => f.error)).toEqual(failed.failedChunks.map((f) => f.error));

      const retry = await h.cli(['campaign', 'retry', 'inj']);
      expect({ code: retry.code, stdout: retry.stdout }).toEqual({
        code: 0,
        stdout: 'campaign inj: 1 failed chunk(s) queued again; running\n',
      });
      // The old job was removed, so the new one carries the plan's payload, not the bad one.
      expect((await queue.getJob('chunk-1'))?.data).toMatchObject({ index: 1, chunk: { start: 32, count: 32 } });
      const again = await h.cli(['campaign', 'retry', 'inj']);
      expect({ code: again.code, stderr: again.stderr }).toEqual({
        code: 2,
        stderr: 'stripscan: campaign inj has no failed chunks to retry\n',
      });
      const finisher = h.spawnWorker('inj', ['--exit-when-done']);
      await until('inj', 'done');
      expect(await finisher.exit()).toBe(0);
      expect(await status('inj')).toMatchObject({
        state: 'done',
        addressesDone: 64,
        chunksDone: total,
        chunksFailed: 0,
        failedChunks: [],
      });
      expect(await readCampaign(h.client, h.prefix, 'inj')).toMatchObject({
        state: 'done',
        doneChunks: total,
        failedChunks: 0,
        counters: { attempted: 64 },
      });
    } finally {
      await queue.close();
    }
  }, 180_000);

  it('a chunk failing every attempt (Redis refuses the commit): five attempts, then failed; retried once fixed', async () => {
    await h.createCampaign('wt', '127.16.21.0/27', ['--chunk-size', '64', '--timeout', '2000']);
    expect((await status('wt')).chunksTotal).toBe(1);
    // A result stream that is not a stream: every commit's XADD fails with WRONGTYPE.
    await h.client.del(stream());
    await h.client.set(stream(), 'not a stream');
    const worker = h.spawnWorker('wt', ['--exit-when-done']);
    try {
      expect((await h.cli(['campaign', 'start', 'wt'])).code).toBe(0);
      // Back-off 1 + 2 + 4 + 8 s between the five attempts.
      await until('wt', 'done-with-failures', 90_000);
      expect(await worker.exit()).toBe(0);
    } finally {
      // Mend the stream (status reads its length too, and the next test needs it).
      await h.client.del(stream());
    }
    const failed = await status('wt');
    expect(failed).toMatchObject({ chunksDone: 0, chunksFailed: 1, addressesDone: 0 });
    expect(failed.failedChunks[0]).toMatchObject({ index: 0, job: 'chunk-0', attempts: 5 });
    expect(failed.failedChunks[0]?.error).toMatch(/WRONGTYPE/);
    // A failed commit left nothing behind: no done bit, so the retry really runs the chunk.
    expect(await h.client.getbit(`${hash('wt')}:done`, 0)).toBe(0);

    expect((await h.cli(['campaign', 'retry', 'wt'])).stdout).toBe(
      'campaign wt: 1 failed chunk(s) queued again; running\n',
    );
    const finisher = h.spawnWorker('wt', ['--exit-when-done']);
    await until('wt', 'done');
    expect(await finisher.exit()).toBe(0);
    expect(await counter('wt', 'attempted')).toBe(32);
    expect(await status('wt')).toMatchObject({ state: 'done', chunksDone: 1, chunksFailed: 0 });
  }, 150_000);

  it('a chunk whose job vanished is queued again when the queue runs dry, and the campaign finishes', async () => {
    await h.createCampaign('lost', '127.16.22.0/26', QUICK);
    expect((await h.cli(['campaign', 'start', 'lost'])).code).toBe(0);
    const queue = new Queue('campaign-lost', { connection: h.client, prefix: h.prefix });
    try {
      expect(await queue.remove('chunk-1')).toBe(1);
    } finally {
      await queue.close();
    }
    const worker = h.spawnWorker('lost', ['--exit-when-done']);
    await until('lost', 'done');
    expect(await worker.exit()).toBe(0);
    expect(await counter('lost', 'attempted')).toBe(64);
    expect(await status('lost')).toMatchObject({ state: 'done', chunksFailed: 0 });
  });
});
