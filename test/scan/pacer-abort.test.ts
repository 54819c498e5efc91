/**
 * A chunk stopped while its probes wait for rate tokens connects no more.
 * Counted at a real loopback listener: the connections it accepts are the
 * connections the runner made.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { runChunk } from '../../src/scan/chunk-runner.js';
import { TokenBucket } from '../../src/scan/pacer.js';

describe('pacing and abort', () => {
  let server: Server;
  let port = 0;
  let accepted = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Greets and hangs up: each probe ends quickly, and is counted once.
    server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.end('554 go away\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a take waiting for a token ends when its signal aborts, without a token; others keep waiting', async () => {
    const bucket = new TokenBucket(5, 1);
    await bucket.take(); // the one token the bucket starts with
    const abort = new AbortController();
    const started = Date.now();
    const waiting = [1, 2, 3].map(() => bucket.take(abort.signal));
    const other = bucket.take();
    setTimeout(() => abort.abort(), 50);
    await Promise.all(waiting);
    expect(Date.now() - started).toBeLessThan(150);
    // The aborted takes left the line: the other take gets the next token, 200 ms after the first.
    await other;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(400);
    // An already-aborted signal does not wait at all.
    const t = Date.now();
    await bucket.take(abort.signal);
    expect(Date.now() - t).toBeLessThan(20);
  });

  it('runChunk aborted while 40 probes wait for tokens: no connection after the abort', async () => {
    const abort = new AbortController();
    const before = accepted;
    const run = runChunk({
      addresses: Array.from({ length: 40 }, () => '127.0.0.1'),
      port,
      concurrency: 40,
      driver: {
        ehloName: 'scanner.stripscan.test',
        forceStartTls: true,
        implicitTls: false,
        limits: DEFAULT_LIMITS,
        timeoutMs: 2000,
        connectTimeoutMs: 1000,
        tlsContext: createProbeTlsContext(),
      },
      labels: { campaign: 'pacer-test', job: 'job-1', vantage: 'test' },
      pacer: new TokenBucket(10, 1),
      signal: abort.signal,
      onRecord: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 350));
    abort.abort();
    const atAbort = accepted - before;
    const stats = await run;
    await new Promise((r) => setTimeout(r, 500));
    // About 10/s for 350 ms: a handful connected before; the rest left the line.
    expect(atAbort).toBeGreaterThanOrEqual(2);
    expect(atAbort).toBeLessThanOrEqual(6);
    expect(accepted - before).toBe(atAbort);
    expect(stats.attempted).toBe(atAbort);
  });
});
