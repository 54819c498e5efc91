/**
 * Shared probe slots (src/scan/probe-slots.ts): never more held than the
 * capacity, older chunks (lower rank) served first, a waiter whose chunk
 * stops leaves the line without a slot. Then through the chunk runner: two
 * chunks sharing slots against a real loopback listener never hold more
 * connections than the slots, and the younger chunk probes in the older
 * one's tail.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { runChunk } from '../../src/scan/chunk-runner.js';
import { ProbeSlots } from '../../src/scan/probe-slots.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProbeSlots', () => {
  it('refuses a capacity that is not a whole number from 1 up', () => {
    expect(() => new ProbeSlots(0)).toThrow(/from 1 up, got 0/);
    expect(() => new ProbeSlots(1.5)).toThrow(RangeError);
  });

  it('grants up to the capacity at once, then serves the lowest rank first, in arrival order within a rank', async () => {
    const slots = new ProbeSlots(2);
    expect(await slots.acquire(5)).toBe(true);
    expect(await slots.acquire(5)).toBe(true);
    expect(slots.used).toBe(2);
    const order: string[] = [];
    const waits = [
      slots.acquire(7).then(() => order.push('7a')),
      slots.acquire(5).then(() => order.push('5a')),
      slots.acquire(7).then(() => order.push('7b')),
      slots.acquire(6).then(() => order.push('6a')),
    ];
    await tick();
    expect(order).toEqual([]);
    for (let i = 0; i < 4; i++) {
      slots.release();
      await tick();
    }
    await Promise.all(waits);
    expect(order).toEqual(['5a', '6a', '7a', '7b']);
    expect(slots.used).toBe(2);
    slots.release();
    slots.release();
    expect(slots.used).toBe(0);
  });

  it('a waiter whose signal aborts resolves false and takes no slot; the others keep their places', async () => {
    const slots = new ProbeSlots(1);
    expect(await slots.acquire(0)).toBe(true);
    const abort = new AbortController();
    // More waiters than EventTarget's warning threshold, on one signal.
    const leaving = Array.from({ length: 20 }, () => slots.acquire(1, abort.signal));
    const staying = slots.acquire(2);
    abort.abort();
    expect(await Promise.all(leaving)).toEqual(Array(20).fill(false));
    expect(await slots.acquire(1, abort.signal)).toBe(false);
    slots.release();
    expect(await staying).toBe(true);
    expect(slots.used).toBe(1);
  });
});

describe('chunks sharing probe slots', () => {
  // A quick refusal at 127.0.0.1, a silent server (the slow tail) at 127.0.0.9, on one port.
  const servers: Server[] = [];
  let port = 0;
  const sockets = new Set<Socket>();

  function listen(host: string, silent: boolean, at: number): Promise<Server> {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (!silent) socket.end('554 go away\r\n');
    });
    servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, host, () => resolve(server));
    });
  }

  beforeAll(async () => {
    const quick = await listen('127.0.0.1', false, 0);
    port = (quick.address() as { port: number }).port;
    await listen('127.0.0.9', true, port);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('never hold more connections than the slots, and the younger chunk probes during the older one’s tail', async () => {
    const slots = new ProbeSlots(4);
    const driver = {
      ehloName: 'slots.stripscan.localhost',
      forceStartTls: false,
      implicitTls: false,
      limits: DEFAULT_LIMITS,
      timeoutMs: 1_500,
      connectTimeoutMs: 1_000,
      tlsContext: createProbeTlsContext(),
    };
    const labels = { campaign: 'slots', job: 'slots-1', vantage: 'test' };
    const finished = { older: [] as number[], younger: [] as number[] };
    const t0 = Date.now();
    // Probes in flight over both chunks: a pacer sees each start (inside its slot), onRecord each end.
    let inFlight = 0;
    let mostInFlight = 0;
    const pacer = {
      take: () => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        return Promise.resolve();
      },
    };
    // The older chunk ends with one silent address (1.5 s): its tail leaves three of its four slots idle.
    const older = [...Array<string>(8).fill('127.0.0.1'), '127.0.0.9'];
    const younger = Array<string>(12).fill('127.0.0.1');
    const run = (name: 'older' | 'younger', addresses: string[], rank: number) =>
      runChunk({
        addresses,
        port,
        concurrency: 4,
        driver,
        labels,
        pacer,
        slots: { pool: slots, rank },
        onRecord: () => {
          inFlight--;
          finished[name].push(Date.now() - t0);
        },
      });
    const [a, b] = await Promise.all([run('older', older, 0), run('younger', younger, 1)]);
    expect(a.attempted).toBe(9);
    expect(b.attempted).toBe(12);
    expect(mostInFlight).toBe(4);
    expect(slots.used).toBe(0);
    // The younger chunk finished inside the older one's tail, not after it.
    const olderEnd = Math.max(...finished.older);
    const youngerEnd = Math.max(...finished.younger);
    expect(olderEnd).toBeGreaterThanOrEqual(1_400);
    expect(youngerEnd).toBeLessThan(olderEnd);
  });
});
