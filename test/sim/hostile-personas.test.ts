import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/index.js';
import { RawSmtpClient } from './raw-smtp-client.js';

// The /26 even mix holds every persona; short idle timeout so the silent one ends fast.
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ range: '127.16.0.0/26', limits: { idleMs: 800 } });
});
afterAll(async () => {
  await fleet.close();
});

function ipOf(name: string): string {
  for (let i = 0; i < 64; i++) if (fleet.personaOf(`127.16.0.${i}`).name === name) return `127.16.0.${i}`;
  throw new Error(name);
}

async function open(name: string): Promise<RawSmtpClient> {
  return RawSmtpClient.open(ipOf(name), fleet.port);
}

describe('hostile and odd personas, byte for byte', () => {
  it('cisco-asa-masked masks STARTTLS and echoes the forced command as X', async () => {
    const c = await open('cisco-asa-masked');
    await c.readReply();
    c.send('EHLO a.test');
    const ehlo = await c.readReply();
    expect(ehlo.lines).toContain('250-XXXXXXXA');
    expect(ehlo.lines.join('\n')).not.toMatch(/STARTTLS/);
    c.send('STARTTLS');
    expect(await c.readReply()).toEqual({ code: 500, lines: ['500 5.5.1 Command unrecognized: "XXXXXXXX"'] });
    c.destroy();
  });

  it('pix-masked-banner keeps only 2, 0 and asterisks', async () => {
    const c = await open('pix-masked-banner');
    const banner = await c.readReply();
    expect(banner.lines[0]).toMatch(/^220 [*20]+$/);
    c.destroy();
  });

  it('oversized-ehlo answers 1,000 lines', async () => {
    const c = await open('oversized-ehlo');
    await c.readReply();
    c.send('EHLO a.test');
    expect((await c.readReply()).lines).toHaveLength(1000);
    c.destroy();
  });

  it('nul-invalid-utf8-banner sends NUL and FF FE raw', async () => {
    const c = await open('nul-invalid-utf8-banner');
    await c.readReply();
    expect(c.received.includes(Buffer.from([0x00, 0x20, 0xff, 0xfe]))).toBe(true);
    expect(c.received.includes(Buffer.from('café', 'utf8'))).toBe(true);
    c.destroy();
  });

  it('script-banner carries the markup verbatim', async () => {
    const c = await open('script-banner');
    expect((await c.readReply()).lines[0]).toContain('<script>alert(1)</script>');
    c.destroy();
  });

  it('slow-drip sends the banner a byte at a time and still completes', async () => {
    const c = await open('slow-drip');
    const started = Date.now();
    const banner = await c.readReply();
    expect(Date.now() - started).toBeGreaterThanOrEqual(banner.lines[0]!.length * 5);
    c.send('EHLO a.test');
    expect((await c.readReply()).code).toBe(250);
    c.destroy();
  });

  it('early-talker sends extra lines with the banner, before any command', async () => {
    const c = await open('early-talker');
    await c.readReply();
    await new Promise((r) => setTimeout(r, 30));
    expect(c.discardUnread().toString('latin1')).toContain('250-unsolicited line before EHLO');
    c.destroy();
  });

  it('not-smtp-ssh greets like SSH and hangs up on the first line', async () => {
    const c = await open('not-smtp-ssh');
    await new Promise((r) => setTimeout(r, 30));
    expect(c.received.toString('latin1')).toMatch(/^SSH-2\.0-/);
    c.send('EHLO a.test');
    await c.waitClosed();
  });

  it('mid-banner-reset sends half a line then resets', async () => {
    const c = await open('mid-banner-reset');
    await c.waitClosed();
    expect(c.received.includes(10)).toBe(false);
    expect(c.error).toBe('ECONNRESET');
  });

  it('no-banner stays silent until the idle timeout closes it', async () => {
    const c = await open('no-banner');
    const started = Date.now();
    await c.waitClosed(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(c.received).toHaveLength(0);
  });

  it('tls-failed answers 220, then plaintext junk instead of a handshake', async () => {
    const c = await open('tls-failed');
    await c.readReply();
    c.send('EHLO a.test');
    await c.readReply();
    c.send('STARTTLS');
    expect((await c.readReply()).code).toBe(220);
    await expect(c.startTls()).rejects.toThrow();
  });

  it('discards commands pipelined after STARTTLS (no plaintext injection into TLS)', async () => {
    const c = await open('postfix-tls-ok');
    await c.readReply();
    c.send('EHLO a.test');
    await c.readReply();
    c.send('STARTTLS\r\nNOOP');
    expect((await c.readReply()).code).toBe(220);
    await c.startTls(fleet.caPem);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.discardUnread()).toHaveLength(0); // the injected NOOP got no answer inside TLS
    c.send('EHLO a.test');
    const inner = await c.readReply();
    expect(inner.code).toBe(250);
    expect(inner.lines.join('\n')).not.toMatch(/STARTTLS/);
    c.destroy();
  });

  it('bounds client input: an endless line is cut off', async () => {
    const c = await open('postfix-tls-ok');
    await c.readReply();
    c.send('X'.repeat(5000));
    expect((await c.readReply()).code).toBe(500);
    await c.waitClosed();
  });

  it('turns away a loopback address outside its range without a byte', async () => {
    const socket = connect({ host: '127.17.0.1', port: fleet.port });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('close', r));
    expect(Buffer.concat(got)).toHaveLength(0);
  });

  it('counts accepted connections per persona', () => {
    expect(fleet.stats.get('postfix-tls-ok')).toBeGreaterThanOrEqual(2);
    expect(fleet.stats.get('rsa-tls-ok')).toBe(0);
  });
});
