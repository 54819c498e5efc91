/**
 * Benchmark 5: a distributed campaign end to end over a /16 of the fleet
 * with the realistic mix: a private Redis, 2 `stripscan worker`s, one
 * `stripscan writer` into the embedded store. Time runs from `campaign start`
 * until the campaign is done and the writer's backlog is empty.
 *
 * The share lost to queue and storage is measured against the same work
 * without them: two `stripscan scan --shards 2 --no-store` processes over the
 * same range with the same probe flags, at the same time. Lost share =
 * 1 − (scan wall time / campaign wall time).
 *
 * Each run also says where the time went: CPU seconds per process (and its
 * children) over the campaign and over the plain scans, read from /proc
 * (../harness/cpu-accounting.ts); when the last chunk committed and when the
 * writer's backlog was empty; Redis commands per chunk (the bench's own
 * polling included). With STRIPSCAN_E2E_TRACE=DIR each run's timeline (every
 * 250 ms: chunks done, chunks active, backlog, CPU per process) goes to
 * DIR/campaign-N.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignKeys, resultStreamKey } from '../../src/queue/keys.js';
import { REPO_ROOT, runChild } from '../harness/child.js';
import { track } from '../harness/child-registry.js';
import { CpuAccounting, formatCpu } from '../harness/cpu-accounting.js';
import { median } from '../harness/median.js';
import { startRedisProcess, type RedisProcess } from '../harness/redis-process.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import { startSimProcess, type SimProcess } from '../harness/sim-process.js';

const BIN = join(REPO_ROOT, 'bin/stripscan.js');
/** Probe flags shared by the campaign and the baseline scan: short deadlines keep the run bounded. */
const PROBE_FLAGS = ['--timeout', '3000', '--connect-timeout', '1000', '--rate', '0'];
/** Per chunk; a worker runs 2 chunks at once (`worker --jobs`, default 2). */
const CAMPAIGN_CONCURRENCY = 500;
const WORKER_JOBS = 2;
const CAMPAIGN_LIMIT_MS = 900_000;
/** A folder: each run's timeline (every 250 ms: chunks done, active, backlog, CPU per role) goes there as JSON. */
const TRACE_DIR = process.env.STRIPSCAN_E2E_TRACE;
/**
 * Reading every /proc/PID/stat takes about 4 ms of the bench's CPU: once a second (0.4 % of a core, in both
 * phases alike), or every 250 ms for a timeline.
 */
const CPU_SAMPLE_MS = TRACE_DIR === undefined ? 1_000 : 250;

/** Calls per Redis command since the server started (INFO commandstats). */
async function redisCalls(redis: RedisProcess): Promise<Record<string, number>> {
  const info = await redis.client.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1] ?? ''] = Number(m[2]);
  return calls;
}

function callsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(after)) if (n - (before[cmd] ?? 0) > 0) out[cmd] = n - (before[cmd] ?? 0);
  return out;
}

interface CampaignRun {
  seconds: number;
  addresses: number;
  /** Seconds from start until the last chunk committed (campaign done), and until the writer's backlog was empty. */
  doneAt: number;
  cpu: Record<string, number>;
  redisCommands: number;
  chunks: number;
}

function spawnStripscan(args: string[]): { child: ChildProcess; exited: Promise<number | null> } {
  const child = track(spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: 'ignore' }));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

async function stop(proc: { child: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  await proc.exited;
  clearTimeout(timer);
}

async function campaignSeconds(sim: SimProcess, redis: RedisProcess, dir: string, run: number): Promise<CampaignRun> {
  const name = `bench-e2e-${run}`;
  const prefix = `bench${process.pid}`;
  const redisFlags = ['--redis', redis.url, '--prefix', prefix];
  const create = await runChild(
    process.execPath,
    [
      BIN,
      'campaign',
      'create',
      name,
      sim.range,
      '--allow-reserved',
      '--port',
      String(sim.port),
      '--ca-file',
      sim.caFile,
      '--contact',
      'https://stripscan.localhost/bench',
      '--ehlo-name',
      'bench.stripscan.localhost',
      '--per24-rate',
      '0',
      '--chunk-size',
      '4096',
      '--queue-depth',
      '8',
      '--concurrency',
      String(CAMPAIGN_CONCURRENCY),
      ...PROBE_FLAGS,
      ...redisFlags,
    ],
    { timeoutMs: 60_000 },
  );
  if (create.code !== 0) throw new Error(`campaign create failed: ${create.stderr}`);
  const writer = spawnStripscan(['writer', '--data-dir', join(dir, `data-${run}`), '--quiet', ...redisFlags]);
  const workers = [1, 2].map(() =>
    spawnStripscan([
      'worker',
      '--campaign',
      name,
      '--jobs',
      String(WORKER_JOBS),
      // Two workers of one process each, against two plain scans of one process each: the
      // comparison prices the queue and the store, not a different number of processes.
      '--procs',
      '1',
      '--exit-when-done',
      '--quiet',
      ...redisFlags,
    ]),
  );
  const cpu = new CpuAccounting();
  cpu.add('fleet', sim.pid);
  cpu.add('redis', redis.pid);
  workers.forEach((w, i) => cpu.add(`worker${i + 1}`, w.child.pid));
  cpu.add('writer', writer.child.pid);
  const trace: unknown[] = [];
  try {
    const keys = campaignKeys(prefix, name);
    const activeKey = `${prefix}:${keys.queueName}:active`;
    const callsBefore = await redisCalls(redis);
    cpu.start();
    const t0 = performance.now();
    let doneAt = 0;
    let polls = 0;
    const start = await runChild(process.execPath, [BIN, 'campaign', 'start', name, ...redisFlags], {
      timeoutMs: 60_000,
      onSpawn: (pid) => cpu.add('campaign-start', pid),
    });
    if (start.code !== 0) throw new Error(`campaign start failed: ${start.stderr}`);
    for (;;) {
      const [state, backlog] = await Promise.all([
        redis.client.hget(keys.campaign, 'state'),
        redis.client.xlen(resultStreamKey(prefix)),
      ]);
      if (TRACE_DIR !== undefined || ++polls % (CPU_SAMPLE_MS / 250) === 0) cpu.sample();
      const t = (performance.now() - t0) / 1000;
      if (state === 'done' && doneAt === 0) doneAt = t;
      if (TRACE_DIR !== undefined) {
        const [doneChunks, active] = await Promise.all([
          redis.client.hget(keys.campaign, 'doneChunks'),
          redis.client.llen(activeKey),
        ]);
        trace.push({ t, state, backlog, doneChunks: Number(doneChunks), active, cpu: cpu.seconds() });
      }
      if (state === 'done' && backlog === 0) break;
      if (state === 'cancelled' || state === 'failed') throw new Error(`campaign ended ${state}`);
      if (performance.now() - t0 > CAMPAIGN_LIMIT_MS) throw new Error('campaign ran past 15 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    const attempted = await redis.client.hget(keys.campaign, 'attempted');
    const calls = callsSince(callsBefore, await redisCalls(redis));
    const chunks = Number(await redis.client.hget(keys.campaign, 'doneChunks'));
    if (TRACE_DIR !== undefined) {
      writeFileSync(
        join(TRACE_DIR, `campaign-${run}.json`),
        JSON.stringify({ seconds, doneAt, calls, trace }, null, 1),
      );
    }
    const redisCommands = Object.values(calls).reduce((a, b) => a + b, 0);
    return { seconds, addresses: Number(attempted), doneAt, cpu: cpu.seconds(), redisCommands, chunks };
  } finally {
    cpu.sample();
    await Promise.all([...workers, writer].map(stop));
  }
}

/**
 * The same addresses and probe flags, no queue and no store: two shards side
 * by side, each with a worker's probes in flight (jobs × per-chunk concurrency).
 */
async function localScanSeconds(sim: SimProcess): Promise<{ seconds: number; cpu: Record<string, number> }> {
  const cpu = new CpuAccounting();
  cpu.add('fleet', sim.pid);
  cpu.start();
  const sampler = setInterval(() => cpu.sample(), CPU_SAMPLE_MS);
  const t0 = performance.now();
  const shards = [0, 1].map((shard) =>
    runChild(
      process.execPath,
      [
        BIN,
        'scan',
        sim.range,
        '--allow-reserved',
        '--port',
        String(sim.port),
        '--ca-file',
        sim.caFile,
        '--shards',
        '2',
        '--shard',
        String(shard),
        '--no-store',
        '--no-progress',
        '--jsonl',
        '/dev/null',
        '--concurrency',
        String(CAMPAIGN_CONCURRENCY * WORKER_JOBS),
        '--procs',
        '1',
        ...PROBE_FLAGS,
      ],
      { timeoutMs: CAMPAIGN_LIMIT_MS, onSpawn: (pid) => cpu.add(`scan${shard + 1}`, pid) },
    ),
  );
  let results;
  try {
    results = await Promise.all(shards);
  } finally {
    clearInterval(sampler);
  }
  for (const result of results) {
    if (result.code !== 0) throw new Error(`baseline scan failed: ${result.stderr.slice(-1000)}`);
  }
  return { seconds: (performance.now() - t0) / 1000, cpu: cpu.seconds() };
}

export async function endToEndSuite(ctx: SuiteContext, prefixLength: number): Promise<BenchRow[]> {
  const range = `127.20.0.0/${prefixLength}`;
  const size = 2 ** (32 - prefixLength);
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-e2e-'));
  const sim = await startSimProcess(range, 'realistic');
  let redis: RedisProcess | null = null;
  try {
    redis = await startRedisProcess(dir);
    const rates: number[] = [];
    const lost: number[] = [];
    for (let run = 1; run <= ctx.runs; run++) {
      const campaign = await campaignSeconds(sim, redis, dir, run);
      if (campaign.addresses !== size) {
        throw new Error(`campaign attempted ${campaign.addresses} of ${size} addresses`);
      }
      const { seconds: local, cpu: localCpu } = await localScanSeconds(sim);
      rates.push(size / campaign.seconds);
      lost.push(100 * Math.max(0, 1 - local / campaign.seconds));
      ctx.log(
        `e2e run ${run}: campaign ${campaign.seconds.toFixed(1)} s (${(size / campaign.seconds).toFixed(0)} addresses/s), ` +
          `same scan without queue and store ${local.toFixed(1)} s, lost ${lost[lost.length - 1]?.toFixed(1)} %`,
      );
      ctx.log(
        `  campaign: last chunk at ${campaign.doneAt.toFixed(1)} s, backlog empty at ${campaign.seconds.toFixed(1)} s; ` +
          `${campaign.redisCommands} Redis commands (${(campaign.redisCommands / Math.max(1, campaign.chunks)).toFixed(0)} per chunk); ` +
          `CPU ${formatCpu(campaign.cpu)}`,
      );
      ctx.log(`  plain scans: CPU ${formatCpu(localCpu)}`);
    }
    const note =
      `${range} of the fleet (realistic mix), 2 workers × ${WORKER_JOBS} chunks × concurrency ${CAMPAIGN_CONCURRENCY}, ` +
      `1 writer, embedded store, ${PROBE_FLAGS.join(' ')}`;
    return [
      { suite: 'e2e', metric: 'campaign end to end', unit: 'addresses/s', runs: rates, median: median(rates), note },
      {
        suite: 'e2e',
        metric: 'time lost to queue and storage',
        unit: '%',
        runs: lost,
        median: median(lost),
        note: `against two \`scan --shards 2 --no-store --concurrency ${CAMPAIGN_CONCURRENCY * WORKER_JOBS}\` processes over the same range; goal < 10 %`,
      },
    ];
  } finally {
    await redis?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
