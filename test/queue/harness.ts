/**
 * Shared set-up for the queue tests: a private Redis, the simulated fleet on
 * loopback, worker and writer child processes, and the CLI. Every process
 * started here is killed in `cleanup()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startFleet, type Fleet, type FleetOptions } from '../../src/sim/index.js';
import { BIN, runCli, type CliResult } from '../helpers/run-cli.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

/** The in-process fleet of every queue test; campaigns target addresses inside it. */
export const FLEET_RANGE = '127.16.0.0/19';

export interface Harness {
  redis: TestRedis;
  client: Redis;
  prefix: string;
  fleet: Fleet;
  dir: string;
  caFile: string;
  dataDir: string;
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** `campaign create NAME RANGE` against the fleet at 100 connections/s (CPU headroom for the test files running beside it); extra flags override. */
  createCampaign(name: string, range: string, extra?: string[]): Promise<void>;
  spawnWorker(campaign: string, extra?: string[]): Proc;
  spawnWriter(extra?: string[]): Proc;
  state(campaign: string): Promise<string | null>;
  cleanup(): Promise<void>;
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after 20 s). */
  stop(): Promise<number | string | null>;
  /**
   * Wait for the process to end by itself (exit code, or the signal that ended it). Use it, not
   * stop(), for a worker that exits when its campaign ends: a SIGTERM that lands while such a
   * process is already tearing down after exit 0 is reported as death by SIGTERM.
   */
  exit(): Promise<number | string | null>;
  kill9(): Promise<void>;
}

/** `fleet` overrides the fleet's options (a smaller range, path sources). */
export async function startHarness(prefix: string, fleetOptions: FleetOptions = {}): Promise<Harness> {
  const redis = await startTestRedis();
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  // Every address listens on its own socket: a /19 (8,192) is the largest range one process may hold, and
  // covers every campaign of the queue tests (127.16.0.0 to 127.16.31.255).
  // The sim's idle timeout must outlast a probe's step deadline even doubled by stall give-back (tests use
  // --timeout ≤ 4 s): otherwise a silent persona's close, not our deadline, ends the step.
  const fleet = await startFleet({
    range: FLEET_RANGE,
    port: 0,
    mix: 'even',
    limits: { idleMs: 20_000 },
    ...fleetOptions,
  });
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-queue-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, fleet.caPem);
  const dataDir = join(dir, 'data');
  const procs: Proc[] = [];
  const redisArgs = ['--redis', redis.url, '--prefix', prefix];

  const spawnProc = (args: string[]): Proc => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: string) => {
      out = (out + d).slice(-20_000);
    };
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);
    // A process still loading when SIGTERM arrives dies of it before its handler exists: report the signal.
    const exited = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    const proc: Proc = {
      child,
      output: () => out,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
      exit: () => exited,
      async kill9() {
        child.kill('SIGKILL');
        await exited;
      },
    };
    procs.push(proc);
    return proc;
  };

  return {
    redis,
    client,
    prefix,
    fleet,
    dir,
    caFile,
    dataDir,
    cli: (args, timeoutMs = 30_000) => runCli([...args, ...redisArgs], { timeoutMs }),
    async createCampaign(name, range, extra = []) {
      const r = await runCli(
        [
          'campaign',
          'create',
          name,
          range,
          '--allow-reserved',
          '--port',
          String(fleet.port),
          '--seed',
          '7',
          '--contact',
          'https://scan.example.org/about',
          '--ehlo-name',
          'scan.example.org',
          '--ca-file',
          caFile,
          '--timeout',
          '4000',
          '--connect-timeout',
          '1000',
          '--concurrency',
          '32',
          '--rate',
          '100',
          '--per24-rate',
          '0',
          '--chunk-size',
          '64',
          '--queue-depth',
          '4',
          ...extra,
          ...redisArgs,
        ],
        { timeoutMs: 30_000 },
      );
      if (r.code !== 0) throw new Error(`campaign create failed (${r.code}): ${r.stderr}`);
    },
    spawnWorker: (campaign, extra = []) =>
      spawnProc([
        'worker',
        '--campaign',
        campaign,
        '--lock-duration',
        '3000',
        '--shutdown-grace',
        '10000',
        // One process per worker unless a test asks for more: the tests count and kill worker processes.
        '--procs',
        '1',
        ...extra,
        ...redisArgs,
      ]),
    spawnWriter: (extra = []) =>
      spawnProc(['writer', '--data-dir', dataDir, '--claim-idle', '2000', ...extra, ...redisArgs]),
    state: (campaign) => client.hget(`${prefix}:stripscan:campaign:${campaign}`, 'state'),
    async cleanup() {
      await Promise.all(procs.map((p) => p.kill9()));
      client.disconnect();
      await fleet.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(last)}`);
}
