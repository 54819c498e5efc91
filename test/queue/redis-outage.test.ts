/**
 * Redis outages through the real CLI. One-shot commands (`campaign …`) give
 * up within --service-timeout with one line and exit 3, whether Redis was
 * never started, was stopped, or swallows connections; worker and writer
 * started while Redis is down wait for it, say so once, serve it in their
 * metrics, and carry on when it is back. A worker for a campaign that does
 * not exist, or has ended, exits at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackhole } from '../helpers/blackhole.js';
import { closedPort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { startHarness, waitFor, type Harness } from './harness.js';

const ONE_SHOT: string[][] = [
  ['campaign', 'list'],
  ['campaign', 'status', 'c1'],
  ['campaign', 'start', 'c1'],
  ['campaign', 'pause', 'c1'],
  ['campaign', 'resume', 'c1'],
  ['campaign', 'cancel', 'c1'],
  ['campaign', 'retry', 'c1'],
  ['campaign', 'create', 'c1', '127.16.0.0/28', '--allow-reserved', '--rate', '10', '--contact', 'scan@example.org'],
];

async function timed(args: string[], env?: NodeJS.ProcessEnv) {
  const started = Date.now();
  const result = await runCli(args, { timeoutMs: 60_000, ...(env === undefined ? {} : { env }) });
  return { ...result, ms: Date.now() - started };
}

/** The time the CLI takes to start and exit on this machine now, as a baseline for bounds. */
async function startupMs(): Promise<number> {
  const r = await timed(['campaign', 'list', '--help']);
  expect(r.code).toBe(0);
  return r.ms;
}

describe('one-shot commands with no Redis', () => {
  it('every campaign subcommand exits 3 with one line naming where and why, no stack, no hang', async () => {
    const port = await closedPort();
    // Four at a time on two shared cores: the bound here only tells a bounded wait from the old hang
    // (runCli kills at 60 s); the next test shows the service timeout is what bounds it.
    for (const batch of [ONE_SHOT.slice(0, 4), ONE_SHOT.slice(4)]) {
      const results = await Promise.all(
        batch.map((args) => timed([...args, '--redis', `redis://127.0.0.1:${port}`, '--service-timeout', '1000'])),
      );
      batch.forEach((args, i) => {
        const r = results[i]!;
        expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
          args,
          code: 3,
          stderr: `stripscan: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)\n`,
          stdout: '',
        });
        expect(r.ms).toBeLessThan(20_000);
      });
    }
  });

  it('the bound is the service timeout: flag, then STRIPSCAN_SERVICE_TIMEOUT, default 5 s', async () => {
    const port = await closedPort();
    const redis = `redis://127.0.0.1:${port}`;
    const base = await startupMs();
    const byFlag = await timed(['campaign', 'list', '--redis', redis, '--service-timeout', '3000']);
    const byEnv = await timed(['campaign', 'list', '--redis', redis], { STRIPSCAN_SERVICE_TIMEOUT: '2000' });
    const byDefault = await timed(['campaign', 'list', '--redis', redis], { STRIPSCAN_SERVICE_TIMEOUT: '' });
    for (const r of [byFlag, byEnv, byDefault]) expect(r.code).toBe(3);
    // Refused connections are retried until the timeout (Redis may be starting), not longer: the
    // retries stop one back-off step (≤ 0.5 s) short of the deadline at most. The upper bounds allow
    // for the Redis client's loading beyond a bare start on a loaded machine.
    expect(byFlag.ms).toBeGreaterThanOrEqual(2500);
    expect(byFlag.ms).toBeLessThan(base + 3000 + 6000);
    expect(byEnv.ms).toBeGreaterThanOrEqual(1500);
    expect(byEnv.ms).toBeLessThan(base + 2000 + 6000);
    expect(byDefault.ms).toBeGreaterThanOrEqual(4500);
    expect(byDefault.ms).toBeLessThan(base + 5000 + 6000);
    console.log(
      `exit 3 after ${byFlag.ms} ms (--service-timeout 3000), ${byEnv.ms} ms (env 2000), ${byDefault.ms} ms (default); bare start ${base} ms`,
    );
  });

  it('a bad --service-timeout or STRIPSCAN_SERVICE_TIMEOUT is bad input, named', async () => {
    const flag = await runCli(['campaign', 'list', '--service-timeout', 'soon']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^stripscan: --service-timeout "soon": expected a whole number from 100 to 600000\n/);
    const env = await runCli(['campaign', 'list'], { env: { STRIPSCAN_SERVICE_TIMEOUT: '0' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toBe('stripscan: STRIPSCAN_SERVICE_TIMEOUT "0": expected a whole number from 100 to 600000\n');
  });

  it('a Redis address that accepts no connection: exit 3, "no reply within" the timeout', async () => {
    const hole = await startBlackhole();
    try {
      const base = await startupMs();
      const r = await timed([
        'campaign',
        'status',
        'c1',
        '--redis',
        `redis://127.0.0.1:${hole.port}`,
        '--service-timeout',
        '1500',
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`stripscan: cannot reach Redis at 127.0.0.1:${hole.port} (no reply within 1500 ms)\n`);
      expect(r.ms).toBeLessThan(base + 1500 + 6000);
    } finally {
      await hole.close();
    }
  });
});

describe('Redis stopped under a deployment', () => {
  let h: Harness;
  const metricsOf = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  beforeAll(async () => {
    h = await startHarness(`outage-${process.pid}`);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('one-shot commands against a stopped Redis exit 3; a campaign made before is intact after', async () => {
    await h.createCampaign('before', '127.16.12.0/28');
    await h.redis.down();
    try {
      const port = new URL(h.redis.url).port;
      for (const args of [
        ['campaign', 'status', 'before'],
        ['campaign', 'start', 'before'],
        ['campaign', 'list'],
      ]) {
        const r = await h.cli([...args, '--service-timeout', '1000']);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({
          args,
          code: 3,
          stderr: `stripscan: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)\n`,
        });
      }
    } finally {
      await h.redis.up();
    }
    const status = JSON.parse((await h.cli(['campaign', 'status', 'before', '--json'])).stdout) as { state: string };
    expect(status.state).toBe('created');
  });

  it('worker and writer started while Redis is down: log it once, show it in metrics, resume when it is back', async () => {
    await h.createCampaign('late', '127.16.13.0/26', ['--chunk-size', '32', '--timeout', '2000']);
    const [workerPort, writerPort] = [await closedPort(), await closedPort()];
    await h.redis.down();
    const where = `127.0.0.1:${new URL(h.redis.url).port}`;
    const worker = h.spawnWorker('late', ['--exit-when-done', '--metrics-port', String(workerPort)]);
    const writer = h.spawnWriter(['--metrics-port', String(writerPort)]);
    try {
      for (const p of [worker, writer]) {
        await waitFor(
          'the outage logged',
          () => Promise.resolve(p.output()),
          (out) => out.includes(`waiting for Redis at ${where} (ECONNREFUSED)`),
          20_000,
        );
      }
      // Several reconnect attempts happen meanwhile (back-off up to 2 s); the log line does not repeat.
      await new Promise((r) => setTimeout(r, 4_000));
      for (const port of [workerPort, writerPort]) {
        const text = await metricsOf(port);
        expect(text).toMatch(/^stripscan_dependency_up\{service="redis"\} 0$/m);
        expect(text).toMatch(/^stripscan_dependency_outages_total\{service="redis"\} 1$/m);
      }
      expect(await metricsOf(writerPort)).toMatch(/^stripscan_writer_backlog_entries NaN$/im);
    } finally {
      await h.redis.up();
    }
    for (const p of [worker, writer]) {
      await waitFor(
        'the return logged',
        () => Promise.resolve(p.output()),
        (out) => new RegExp(`Redis at ${where} is back after \\d+\\.\\d s`).test(out),
        20_000,
      );
      expect(count(p.output(), 'waiting for Redis')).toBe(1);
    }
    for (const port of [workerPort, writerPort]) {
      const text = await metricsOf(port);
      expect(text).toMatch(/^stripscan_dependency_up\{service="redis"\} 1$/m);
      expect(text).toMatch(/^stripscan_dependency_outages_total\{service="redis"\} 1$/m);
    }
    expect((await h.cli(['campaign', 'start', 'late'])).code).toBe(0);
    await waitFor(
      'late done',
      () => h.state('late'),
      (s) => s === 'done',
      40_000,
    );
    expect(await worker.exit()).toBe(0);
    await waitFor(
      'the writer stored everything',
      () => h.client.xlen(`${h.prefix}:stripscan:results`),
      (n) => n === 0,
      30_000,
    );
    expect(await writer.stop()).toBe(0);
  });

  it('a worker for a campaign that does not exist exits 2 at once, naming it', async () => {
    const r = await h.cli(['worker', '--campaign', 'nope'], 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('stripscan: campaign "nope": no such campaign (see `stripscan campaign list`)\n');
  });

  it('a worker for a campaign that has ended exits 0 with one line', async () => {
    await h.createCampaign('over', '127.16.14.0/28');
    expect((await h.cli(['campaign', 'cancel', 'over'])).code).toBe(0);
    const r = await h.cli(['worker', '--campaign', 'over'], 20_000);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 0,
      stderr: 'worker: campaign over is cancelled; nothing to do\n',
    });
  });
});
