/**
 * The driver and machine together against hostile servers on loopback: each
 * ends in an outcome with its error_stage, in bounded time and memory.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeTarget, type DriverOptions } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';

const tlsContext = createProbeTlsContext();
const options = (overrides: Partial<DriverOptions> = {}): DriverOptions => ({
  ehloName: 'scanner.stripscan.test',
  forceStartTls: true,
  implicitTls: false,
  limits: DEFAULT_LIMITS,
  timeoutMs: 3000,
  connectTimeoutMs: 1000,
  tlsContext,
  ...overrides,
});

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A raw server whose behaviour is a function of each line the client sends. */
async function serve(onConnect: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnect(socket);
    // Read (and drop) whatever the behaviour does not, so the client's FIN is seen.
    if (socket.listenerCount('data') === 0) socket.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function onLine(socket: Socket, handler: (line: string) => void): void {
  let buf = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      handler(line);
    }
  });
}

/** Writes as fast as the socket drains, until it closes or `limit` bytes went out. */
function flood(socket: Socket, chunk: string, limit: number): void {
  let sent = 0;
  const pump = (): void => {
    while (!socket.destroyed && sent < limit) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

describe('hostile servers', () => {
  it('an endless EHLO reply ends in ehlo-failed with reply-too-large, reading a bounded amount', async () => {
    let serverSent = 0;
    const port = await serve((socket) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      onLine(socket, (line) => {
        if (line.startsWith('EHLO')) {
          const chunk = '250-' + 'A'.repeat(1020) + '\r\n';
          flood(socket, chunk, 50 * 1024 * 1024);
          socket.on('close', () => (serverSent = socket.bytesWritten));
        }
      });
    });
    const before = process.memoryUsage().heapUsed;
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome: 'ehlo-failed', error_stage: 'ehlo' });
    expect(record.error).toContain('reply-too-large');
    expect(record.duration_ms).toBeLessThan(2500);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(30 * 1024 * 1024);
    expect(record.transcript.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxTranscriptBytes + 64);
    await new Promise((r) => setTimeout(r, 100));
    expect(serverSent).toBeLessThan(50 * 1024 * 1024);
  });

  it('a 1000-line EHLO reply is bounded and recorded as ehlo-failed', async () => {
    const port = await serve((socket) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      onLine(socket, (line) => {
        if (line.startsWith('EHLO')) {
          const lines = Array.from({ length: 999 }, (_, i) => `250-X-EXT${i}`);
          socket.write(lines.join('\r\n') + '\r\n250 STARTTLS\r\n');
        }
      });
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome: 'ehlo-failed', error_stage: 'ehlo' });
    expect(record.ehlo_keywords.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxReplyLines);
  });

  it('a banner dripped one byte at a time forever ends in no-banner at the deadline', async () => {
    const port = await serve((socket) => {
      socket.write('220 ');
      const timer = setInterval(() => socket.write('a'), 20);
      socket.on('close', () => clearInterval(timer));
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options({ timeoutMs: 1200 }));
    expect(record).toMatchObject({ outcome: 'no-banner', error_stage: 'banner' });
    expect(record.error).toContain('timeout');
    expect(record.duration_ms).toBeGreaterThanOrEqual(1150);
    expect(record.duration_ms).toBeLessThan(2000);
  });

  it('a complete banner dripped byte by byte is read correctly', async () => {
    const script = '220 mx.example.test ESMTP drip\r\n';
    const port = await serve((socket) => {
      let i = 0;
      const timer = setInterval(() => {
        if (i < script.length) socket.write(script[i++]!);
        else clearInterval(timer);
      }, 5);
      socket.on('close', () => clearInterval(timer));
      onLine(socket, (line) => {
        if (line.startsWith('EHLO')) socket.write('250-mx.example.test\r\n250 SIZE 1000\r\n');
        else if (line === 'STARTTLS') socket.write('502 5.5.2 Error: command not recognized\r\n');
      });
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome: 'no-starttls', banner: 'mx.example.test ESMTP drip', banner_code: 220 });
  });

  it('garbage right after "220 Ready" does not crash the probe and ends in a recorded outcome', async () => {
    const port = await serve((socket) => {
      socket.write('220 Ready\r\n');
      setTimeout(() => socket.write(Buffer.from([0, 255, 254, 13, 10, 1, 2, 3, 13, 10])), 50);
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options({ timeoutMs: 1500 }));
    expect(['ehlo-failed', 'no-starttls']).toContain(record.outcome);
    expect(record.error_stage).toBe('ehlo');
    expect(record.transcript).not.toMatch(/[\u0000\u0001\u00ff]/);
  });

  const resetCases: { stage: string; after: (line: string) => boolean; outcome: string; errorStage: string }[] = [
    { stage: 'banner', after: () => false, outcome: 'no-banner', errorStage: 'banner' },
    { stage: 'ehlo', after: (l) => l.startsWith('EHLO'), outcome: 'ehlo-failed', errorStage: 'ehlo' },
    { stage: 'starttls', after: (l) => l === 'STARTTLS', outcome: 'starttls-refused', errorStage: 'starttls' },
  ];
  it.each(resetCases)('a reset at the $stage stage ends in $outcome', async ({ stage, after, outcome, errorStage }) => {
    const port = await serve((socket) => {
      if (stage === 'banner') {
        socket.write('220-mx.example.test first line\r\n');
        setTimeout(() => socket.resetAndDestroy(), 20);
        return;
      }
      socket.write('220 mx.example.test ESMTP\r\n');
      onLine(socket, (line) => {
        if (after(line)) socket.resetAndDestroy();
        else if (line.startsWith('EHLO')) socket.write('250-mx.example.test\r\n250 STARTTLS\r\n');
      });
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome, error_stage: errorStage, error: expect.stringContaining('ECONNRESET') });
  });

  it('a reset during the TLS handshake ends in tls-failed', async () => {
    const port = await serve((socket) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      onLine(socket, (line) => {
        if (line.startsWith('EHLO')) socket.write('250-mx.example.test\r\n250 STARTTLS\r\n');
        if (line === 'STARTTLS') {
          socket.write('220 2.0.0 Ready to start TLS\r\n');
          socket.once('data', () => socket.resetAndDestroy());
        }
      });
    });
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome: 'tls-failed', error_stage: 'tls', tls_error: 'ECONNRESET' });
  });

  it('200 flooding servers at once keep memory flat', async () => {
    const port = await serve((socket) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      onLine(socket, (line) => {
        if (line.startsWith('EHLO')) flood(socket, '250-' + 'B'.repeat(4092) + '\r\n', 8 * 1024 * 1024);
      });
    });
    global.gc?.();
    const before = process.memoryUsage().rss;
    // A generous deadline: on a loaded machine 200 handshakes at once may be slow, and the point is memory.
    const records = await Promise.all(
      Array.from({ length: 200 }, () => probeTarget({ ip: '127.0.0.1', port }, options({ timeoutMs: 20_000 }))),
    );
    expect(new Set(records.map((r) => r.outcome))).toEqual(new Set(['ehlo-failed']));
    // 200 probes each capped at 16 KiB of reply: tens of MB at most, never the 1.6 GB the servers offered.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
