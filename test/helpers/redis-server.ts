/**
 * A private redis-server for one test file: loopback only, its own port and
 * data folder, AOF on so that restart() keeps what was written (the Redis
 * restart test needs persistence). With STRIPSCAN_TEST_REDIS_URL set, that
 * server is used instead and is never flushed, restarted or stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { closedPort } from './free-port.js';

export interface TestRedis {
  url: string;
  /** False for an external server: restart() is then refused. */
  owned: boolean;
  stop(): Promise<void>;
  /** Stop the server (SIGTERM: AOF is synced) and start it again on the same port and folder. */
  restart(downMs?: number): Promise<void>;
  /** Stop the server, keeping its port and folder for up(): an outage as long as the test wants. */
  down(): Promise<void>;
  /** Start a server stopped by down() again, with its data. */
  up(): Promise<void>;
}

const REDIS_SERVER = process.env.STRIPSCAN_TEST_REDIS_SERVER ?? 'redis-server';

export async function startTestRedis(): Promise<TestRedis> {
  const external = process.env.STRIPSCAN_TEST_REDIS_URL;
  if (external !== undefined && external !== '') {
    return {
      url: external,
      owned: false,
      stop: () => Promise.resolve(),
      restart: () => Promise.reject(new Error('cannot restart an external Redis (STRIPSCAN_TEST_REDIS_URL)')),
      down: () => Promise.reject(new Error('cannot stop an external Redis (STRIPSCAN_TEST_REDIS_URL)')),
      up: () => Promise.reject(new Error('cannot start an external Redis (STRIPSCAN_TEST_REDIS_URL)')),
    };
  }
  const port = await closedPort();
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess = await launch(port, dir);

  const stopChild = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    owned: true,
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(downMs = 500) {
      await stopChild();
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch(port, dir);
    },
    down: stopChild,
    async up() {
      child = await launch(port, dir);
    },
  };
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr}`);
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // PONG, and not LOADING: the AOF must be read back before tests continue.
      if ((await client.ping()) === 'PONG') return child;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PONG within 10 s: ${stderr}`);
}
