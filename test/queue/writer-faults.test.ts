/**
 * The stream writer (`stripscan writer`, a real process) against a real
 * Redis and the embedded store, entries put on the result stream by hand:
 *
 * - poisoned entries (a record with a field or an outcome the writer does not
 *   know, an unknown kind, a row the table refuses) go to the dead letters,
 *   the entries behind them are stored; `store dead-letters` lists them and
 *   `--replay` puts them back;
 * - a writer SIGKILLed right after reading an entry, or after storing it and
 *   before acknowledging it, loses nothing and stores nothing twice, and the
 *   dead consumer leaves the group once its entries were claimed;
 * - ClickHouse away and back (a stand-in server: see clickhouse-standin.ts):
 *   waits once, spools and acknowledges, replays, says when it is back, and
 *   shows it in its metrics;
 * - the spool is replayed on a timer, a damaged file skipped and kept;
 * - a campaign state and a counter the writer never heard of reach the store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { openStore } from '../../src/store/index.js';
import { ObservationBatch } from '../../src/store/observation-batch.js';
import { spoolBatch } from '../../src/store/spool.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { startClickHouseStandIn } from '../helpers/clickhouse-standin.js';
import { closedPort } from '../helpers/free-port.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { BIN, runCli } from '../helpers/run-cli.js';
import { count, rows } from '../store/helpers/test-store.js';
import { waitFor } from './harness.js';

interface WriterProc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output once it matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let redis: TestRedis;
let client: Redis;
let dir: string;
const procs: WriterProc[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  dir = mkdtempSync(join(tmpdir(), 'stripscan-writer-faults-'));
});

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function spawnWriter(prefix: string, args: string[], env: NodeJS.ProcessEnv = {}): WriterProc {
  const child = spawn(
    process.execPath,
    [BIN, 'writer', '--redis', redis.url, '--prefix', prefix, '--shutdown-grace', '10000', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let out = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc: WriterProc = {
    child,
    output: () => out,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      waitFor(
        `writer output ${String(pattern)}`,
        () => Promise.resolve(out),
        (o) => pattern.test(o),
        timeoutMs,
      ),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  procs.push(proc);
  return proc;
}

const stream = (prefix: string) => `${prefix}:stripscan:results`;
const deadLetters = (prefix: string) => `${prefix}:stripscan:dead-letters`;

function chunkFields(campaign: string, job: string, records: unknown[]): string[] {
  const stats = {
    campaign,
    job,
    vantage: 'test',
    attempted: records.length,
    responsive: records.length,
    connect_timeouts: 0,
    outcome_counts: {},
    started_at: '2024-05-01T00:00:00.000Z',
    finished_at: '2024-05-01T00:01:00.000Z',
  };
  return [
    'kind',
    'chunk',
    'campaign',
    campaign,
    'job',
    job,
    'stats',
    JSON.stringify(stats),
    'records',
    JSON.stringify(records),
  ];
}

function records(campaign: string, job: string, n: number, seed: number): ScanRecord[] {
  return syntheticRecords(n, { seed, campaign, job, firstAddress: 0x0b000001 + seed * 10_000 });
}

async function xadd(prefix: string, fields: string[]): Promise<string> {
  return (await client.xadd(stream(prefix), '*', ...fields)) ?? '';
}

async function metrics(port: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

describe('the stream writer under faults', { timeout: 120_000 }, () => {
  it('poisoned entries go to the dead letters; the entries behind them are stored; --replay re-queues', async () => {
    const prefix = 'poison';
    const dataDir = join(dir, 'poison-data');
    const good = (job: string, seed: number) => records('p', job, 50, seed);
    const one = (job: string, change: Record<string, unknown>) => [{ ...records('p', job, 1, 9)[0], ...change }];
    await xadd(prefix, chunkFields('p', 'p-a', good('p-a', 1)));
    const ids = {
      field: await xadd(prefix, chunkFields('p', 'p-field', one('p-field', { tls_grade: 'A' }))),
      outcome: await xadd(prefix, chunkFields('p', 'p-outcome', one('p-outcome', { outcome: 'starttls-downgraded' }))),
      kind: await xadd(prefix, ['kind', 'chunk-v2', 'campaign', 'p', 'job', 'p-kind']),
      refused: await xadd(prefix, chunkFields('p', 'p-refused', one('p-refused', { ts: 'the day before yesterday' }))),
    };
    await xadd(prefix, chunkFields('p', 'p-b', good('p-b', 2)));

    const writer = spawnWriter(prefix, ['--data-dir', dataDir, '--max-deliveries', '2']);
    await waitFor(
      'four dead letters and an empty stream',
      async () => [await client.xlen(deadLetters(prefix)), await client.xlen(stream(prefix))],
      ([dead, left]) => dead === 4 && left === 0,
      45_000,
    );
    expect((await writer.stop()).code).toBe(0);
    // The writer checks a time's syntax itself (the Native block carries it as a number) and refuses the record.
    expect(writer.output()).toMatch(
      /entry \S+ \(delivery 1 of 2\): record for \S+: ts "the day before yesterday" is not allowed/,
    );

    const store = await openStore({ dataDir });
    try {
      expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 'p'")).toBe(100);
      const jobs = await rows<{ job: string }>(
        store,
        "SELECT job FROM job_stats FINAL WHERE campaign = 'p' ORDER BY job",
      );
      expect(jobs.map((j) => j.job)).toEqual(['p-a', 'p-b']);
    } finally {
      await store.close();
    }

    const listed = await runCli(['store', 'dead-letters', '--json', '--redis', redis.url, '--prefix', prefix]);
    expect(listed.code, listed.stderr).toBe(0);
    const letters = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; source_id: string; reason: string; deliveries: number });
    const bySource = new Map(letters.map((l) => [l.source_id, l]));
    expect(bySource.get(ids.field)?.reason).toMatch(/^invalid entry: records\.0: Unrecognized key: "tls_grade"/);
    expect(bySource.get(ids.outcome)?.reason).toMatch(/^invalid entry: records\.0\.outcome: /);
    expect(bySource.get(ids.kind)?.reason).toMatch(/^invalid entry: kind: /);
    expect(bySource.get(ids.refused)?.reason).toMatch(
      /^refused 2 times: record for \S+: ts "the day before yesterday" is not allowed/,
    );
    expect(bySource.get(ids.refused)?.deliveries).toBe(2);
    expect(bySource.get(ids.kind)?.deliveries).toBe(1);

    const text = await runCli(['store', 'dead-letters', '--redis', redis.url, '--prefix', prefix]);
    expect(text.stdout).toContain(`  chunk-v2 p p-kind  deliveries 1  at `);
    expect(text.stderr).toBe('4 dead letters\n');

    const kindLetter = bySource.get(ids.kind)?.id ?? '';
    const replay = await runCli([
      'store',
      'dead-letters',
      '--replay',
      '--id',
      kindLetter,
      '--redis',
      redis.url,
      '--prefix',
      prefix,
    ]);
    expect(replay.stderr).toMatch(/re-queued 1 dead letter onto the result stream/);
    expect(await client.xlen(deadLetters(prefix))).toBe(3);
    const back = await client.xrange(stream(prefix), '-', '+');
    expect(back.map(([, f]) => f)).toEqual([['kind', 'chunk-v2', 'campaign', 'p', 'job', 'p-kind']]);
    const closed = await runCli(['store', 'dead-letters', '--redis', `redis://127.0.0.1:${await closedPort()}`]);
    expect(closed.code).toBe(3);
    expect(closed.stderr).toMatch(/^stripscan: cannot reach Redis at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
    const unknown = await runCli(['store', 'dead-letters', '--id', '1-1', '--redis', redis.url, '--prefix', prefix]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--id "1-1": no such dead letter/);
  });

  it.each([
    ['after-read', 3],
    ['after-store', 4],
  ] as const)(
    'a writer SIGKILLed %s (before acknowledging) loses nothing and stores once; the dead consumer leaves',
    async (point, seed) => {
      const prefix = `killed-${point}`;
      const dataDir = join(dir, `killed-${point}-data`);
      const flags = ['--data-dir', dataDir, '--claim-idle', '1000'];
      await xadd(prefix, chunkFields('k', 'k-1', records('k', 'k-1', 80, seed)));
      const victim = spawnWriter(prefix, flags, { STRIPSCAN_TEST_WRITER_CRASH_AT: point });
      expect((await victim.exited).signal).toBe('SIGKILL');
      // Read, not acknowledged: pending for a consumer that is gone.
      expect((await client.xpending(stream(prefix), 'writers'))[0]).toBe(1);
      expect(await client.xlen(stream(prefix))).toBe(1);
      // The point is where it should be: nothing stored yet, or the rows in and the entry not acknowledged.
      const before = await openStore({ dataDir });
      try {
        const stored = await count(before, "SELECT count() AS n FROM observations WHERE campaign = 'k'");
        expect(stored).toBe(point === 'after-read' ? 0 : 80);
      } finally {
        await before.close();
      }

      const rescuer = spawnWriter(prefix, flags);
      await waitFor(
        'the stream drained and the dead consumer gone',
        async () => [await client.xlen(stream(prefix)), await client.xinfo('CONSUMERS', stream(prefix), 'writers')],
        ([left, consumers]) => left === 0 && (consumers as unknown[]).length === 1,
        30_000,
      );
      expect((await rescuer.stop()).code).toBe(0);
      const store = await openStore({ dataDir });
      try {
        expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 'k'")).toBe(80);
        expect(await count(store, "SELECT uniqExact(ip) AS n FROM observations WHERE campaign = 'k'")).toBe(80);
        expect(await count(store, "SELECT count() AS n FROM host_latest FINAL WHERE campaign = 'k'")).toBe(80);
        expect(await count(store, "SELECT count() AS n FROM job_stats FINAL WHERE campaign = 'k'")).toBe(1);
      } finally {
        await store.close();
      }
    },
  );

  it('ClickHouse away and back: waits once, spools and acknowledges, replays, says so, and shows it', async () => {
    const prefix = 'outage';
    const spoolDir = join(dir, 'outage-spool');
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/default`;
    const writer = spawnWriter(prefix, [
      '--clickhouse',
      url,
      '--spool-dir',
      spoolDir,
      '--metrics-port',
      '0',
      '--replay-interval',
      '500',
    ]);
    const started = await writer.waitForOutput(/metrics on 127\.0\.0\.1:(\d+)/);
    const metricsPort = /metrics on 127\.0\.0\.1:(\d+)/.exec(started)?.[1] ?? '';
    await writer.waitForOutput(new RegExp(`waiting for ClickHouse at ${url} \\(ECONNREFUSED\\)`));
    const down = await metrics(metricsPort);
    expect(down).toMatch(/^stripscan_dependency_up\{service="clickhouse"\} 0$/m);
    expect(down).toMatch(/^stripscan_dependency_outages_total\{service="clickhouse"\} 1$/m);

    const standIn = await startClickHouseStandIn(port);
    try {
      await writer.waitForOutput(new RegExp(`ClickHouse at ${url} is back after \\d+\\.\\d s`));
      expect(await metrics(metricsPort)).toMatch(/^stripscan_dependency_up\{service="clickhouse"\} 1$/m);

      // Gone again, mid-campaign: the entry spools and is acknowledged.
      standIn.drop = () => true;
      await xadd(prefix, chunkFields('o', 'o-1', records('o', 'o-1', 30, 5)));
      await waitFor(
        'the entry acknowledged',
        () => client.xlen(stream(prefix)),
        (n) => n === 0,
        30_000,
      );
      await writer.waitForOutput(/waiting for ClickHouse at \S+ \(ECONNRESET\)/);
      expect(readdirSync(spoolDir).filter((n) => n.endsWith('.spool')).length).toBeGreaterThanOrEqual(1);
      expect(await metrics(metricsPort)).toMatch(/^stripscan_dependency_outages_total\{service="clickhouse"\} 2$/m);

      standIn.drop = () => false;
      await writer.waitForOutput(/is back after [\s\S]*is back after/);
      await waitFor(
        'the spool replayed',
        () => Promise.resolve(readdirSync(spoolDir).filter((n) => n.endsWith('.spool')).length),
        (n) => n === 0,
        30_000,
      );
      const inserts = standIn.answered.filter((r) => r.sql.startsWith('INSERT INTO observations'));
      expect(inserts.map((r) => r.params.get('insert_deduplication_token'))).toContain('o/o-1/stream');
      const replayed = inserts.find((r) => r.params.get('insert_deduplication_token') === 'o/o-1/stream');
      // Over HTTP too the rows travel as the encoder's Native block, byte for byte.
      expect(replayed?.sql).toMatch(/^INSERT INTO observations \(ip, port, .*, vantage\) FORMAT Native$/);
      const encoder = new ObservationBatch();
      for (const r of records('o', 'o-1', 30, 5)) encoder.add(r);
      expect(replayed?.bytes.equals(encoder.take().body)).toBe(true);
      expect(standIn.answered.some((r) => r.sql.startsWith('INSERT INTO job_stats') && r.body.includes('"o-1"'))).toBe(
        true,
      );
      // Once per outage, never once per attempt.
      expect(writer.output().match(/waiting for ClickHouse/g)).toHaveLength(2);
      expect((await writer.stop()).code).toBe(0);
    } finally {
      await standIn.close();
    }
  });

  it('replays its spool on a timer while it runs; a damaged file is skipped, kept and named once', async () => {
    const prefix = 'timer';
    const dataDir = join(dir, 'timer-data');
    const writer = spawnWriter(prefix, ['--data-dir', dataDir, '--replay-interval', '500']);
    await writer.waitForOutput(/^writer on /m);
    const spoolDir = join(dataDir, 'spool');
    mkdirSync(spoolDir, { recursive: true });
    const damaged = join(spoolDir, '000000000000001-1-damaged.spool');
    writeFileSync(damaged, '{"stripscan_spool":3,"table":"observations"');
    const batch = records('t', 't-1', 40, 6);
    const encoder = new ObservationBatch();
    for (const r of batch) encoder.add(r);
    await spoolBatch(spoolDir, {
      table: 'observations',
      format: 'Native',
      token: 't/t-1/0',
      body: encoder.take().body,
      rows: 40,
    });
    await writer.waitForOutput(/loaded 1 spooled batch\(es\), 40 rows/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      writer.output().match(/kept spool file \S+damaged\.spool: .*not a complete stripscan spool batch/g),
    ).toHaveLength(1);
    expect((await writer.stop()).code).toBe(0);
    expect(existsSync(damaged)).toBe(true);
    const store = await openStore({ dataDir });
    try {
      expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 't'")).toBe(40);
    } finally {
      await store.close();
    }
  });

  it('mirrors a campaign into the store, with a state and a counter it has never heard of', async () => {
    const prefix = 'mirror';
    const dataDir = join(dir, 'mirror-data');
    const created = await runCli([
      'campaign',
      'create',
      'm1',
      '127.16.30.0/26',
      '--allow-reserved',
      '--port',
      '2525',
      '--seed',
      '7',
      '--chunk-size',
      '32',
      '--per24-rate',
      '0',
      '--ehlo-name',
      'scan.example.org',
      '--contact',
      'https://scan.example.org/about',
      '--redis',
      redis.url,
      '--prefix',
      prefix,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const hash = `${prefix}:stripscan:campaign:m1`;
    const endedAt = '2024-05-02T10:00:00.000Z';
    await client.hset(hash, 'state', 'done-with-failures', 'endedAt', endedAt, 'doneChunks', '1', 'retriedChunks', '3');
    await xadd(prefix, ['kind', 'campaign-end', 'campaign', 'm1', 'state', 'done-with-failures', 'endedAt', endedAt]);
    const writer = spawnWriter(prefix, ['--data-dir', dataDir, '--mirror-interval', '500']);
    await waitFor(
      'the stream drained',
      () => client.xlen(stream(prefix)),
      (n) => n === 0,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await writer.stop()).code).toBe(0);

    const store = await openStore({ dataDir });
    try {
      const [row] = await rows<Record<string, unknown>>(
        store,
        `SELECT state, toString(ended_at) AS ended_at, chunks_total, chunks_done, addresses_total, contact,
           counters['retriedChunks'] AS retried
         FROM campaigns FINAL WHERE campaign = 'm1'`,
      );
      expect(row).toEqual({
        state: 'done-with-failures',
        ended_at: '2024-05-02 10:00:00.000',
        chunks_total: 3,
        chunks_done: 1,
        addresses_total: 64,
        contact: 'https://scan.example.org/about',
        retried: 3,
      });
    } finally {
      await store.close();
    }
    const html = join(dir, 'mirror.html');
    const report = await runCli(['report', '--campaign', 'm1', '--html', html, '--data-dir', dataDir]);
    expect(report.stderr).toMatch(/campaign done-with-failures at 33 % \(1 of 3 chunks\)\n$/);
  });
});
