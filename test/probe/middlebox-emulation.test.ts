/**
 * The oracle's middlebox emulations (test/fixtures/mta/middlebox.ts) are
 * themselves under test: outside the lines a box is meant to alter they must
 * forward bytes as they came, after STARTTLS's 220 they must not touch a
 * byte (even one that looks like SMTP), and their buffers are bounded.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, startMiddlebox, type Middlebox } from '../fixtures/mta/middlebox.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A scripted upstream: `onConnect` drives each accepted socket. */
async function upstream(onConnect: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnect(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function box(kind: Parameters<typeof startMiddlebox>[0], upstreamPort: number): Promise<Middlebox> {
  const middlebox = await startMiddlebox(kind, upstreamPort);
  cleanups.push(() => middlebox.close());
  return middlebox;
}

/** A client that collects every byte and can wait for a count of them or for the close. */
function client(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let received = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => {});
  cleanups.push(async () => {
    socket.destroy();
  });
  const until = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    socket,
    received: () => received,
    bytes: (n: number) => until(() => received.length >= n, `${n} bytes`),
    closed: () => until(() => closed, 'the close'),
  };
}

describe('middlebox emulation', () => {
  it('forwards untouched lines byte for byte, bare LF and non-ASCII included, and everything after the 220', async () => {
    const banner = Buffer.from('220 host \xff\xfe banner\n', 'latin1');
    const ehloReply = Buffer.from('250-host\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 HELP\r\n', 'latin1');
    // Looks like an EHLO reply and a STARTTLS command, but comes after the 220: not SMTP any more.
    const afterTls = Buffer.from([0x16, 0x03, 0x01, 0x00, ...Buffer.from('\r\n250-STARTTLS\r\n8BITMIME\n')]);
    const seenByServer: Buffer[] = [];
    const port = await upstream((socket) => {
      socket.write(banner);
      let step = 0;
      socket.on('data', (d: Buffer) => {
        seenByServer.push(d);
        step += 1;
        if (step === 1) socket.write(ehloReply);
        if (step === 2) socket.write(Buffer.concat([Buffer.from('220 go ahead\r\n'), afterTls]));
      });
    });
    const middlebox = await box('mask-other-keyword', port);
    const c = client(middlebox.port);
    await c.bytes(banner.length);
    c.socket.write('EHLO me\r\n');
    await c.bytes(banner.length + ehloReply.length);
    c.socket.write('STARTTLS\r\n');
    const goAhead = Buffer.from('220 go ahead\r\n');
    const expectedTotal = banner.length + ehloReply.length + goAhead.length + afterTls.length;
    await c.bytes(expectedTotal);
    c.socket.write(afterTls);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const check = (): void => {
        if (Buffer.concat(seenByServer).length >= 'EHLO me\r\nSTARTTLS\r\n'.length + afterTls.length) resolve();
        else if (Date.now() > deadline) reject(new Error('server did not get the TLS bytes'));
        else setTimeout(check, 20);
      };
      check();
    });

    const maskedReply = Buffer.from('250-host\r\n250-XXXXXXXA\r\n250-STARTTLS\r\n250 HELP\r\n', 'latin1');
    expect(c.received()).toEqual(Buffer.concat([banner, maskedReply, goAhead, afterTls]));
    expect(Buffer.concat(seenByServer)).toEqual(Buffer.concat([Buffer.from('EHLO me\r\nSTARTTLS\r\n'), afterTls]));
  });

  it('ends the connection on a server line longer than its bound instead of buffering it', async () => {
    const port = await upstream((socket) => {
      socket.write(`220 ${'x'.repeat(MAX_LINE_BYTES * 4)}`);
    });
    const middlebox = await box('asa-mask', port);
    const c = client(middlebox.port);
    await c.closed();
    expect(c.received().length).toBe(0);
  });
});
