/**
 * `--source-address`: outgoing connections bound to the given local
 * addresses, taken in turn per connection; bad values refused before any
 * probe (exit 2, one line naming the value).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { SourceAddresses } from '../../src/probe/source-addresses.js';
import { runCli } from '../helpers/run-cli.js';

describe('SourceAddresses', () => {
  it('takes the addresses of the target’s family in turn', () => {
    const sources = new SourceAddresses(['127.0.0.2', '::1', '127.0.0.3']);
    const v4 = Array.from({ length: 5 }, () => sources.forTarget('127.16.0.1'));
    expect(v4).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3', '127.0.0.2']);
    expect(sources.forTarget('::1')).toBe('::1');
    expect(new SourceAddresses(['::1']).forTarget('127.0.0.1')).toBeUndefined();
  });

  it('refuses what is not an address, a repeat, and a target family without a source', async () => {
    expect(() => new SourceAddresses(['127.0.0.300'])).toThrow(/--source-address "127.0.0.300": expected an IPv4/);
    expect(() => new SourceAddresses(['mail.example.org'])).toThrow(UsageError);
    expect(() => new SourceAddresses(['127.0.0.2', '127.0.0.2'])).toThrow(/127.0.0.2: given twice/);
    expect(() => new SourceAddresses(['::1']).checkFamilies([4])).toThrow(/no IPv4 source address was given/);
    // Bound, never sent from: 192.0.2.1 (TEST-NET-1) is no address of this machine.
    await expect(new SourceAddresses(['192.0.2.1']).checkBindable()).rejects.toThrow(
      '--source-address 192.0.2.1: cannot bind it (this machine has no such address)',
    );
    await expect(new SourceAddresses(['127.0.0.2', '127.0.0.3']).checkBindable()).resolves.toBeUndefined();
  });
});

describe('stripscan scan --source-address', () => {
  const seen: string[] = [];
  const servers: Server[] = [];
  let port = 0;
  beforeAll(async () => {
    for (const host of ['127.16.250.1', '127.16.250.2', '127.16.250.3', '127.16.250.4']) {
      const server = createServer((socket) => {
        seen.push(socket.remoteAddress ?? '?');
        socket.on('error', () => undefined);
        // A rejecting banner, then close: the probe ends at once (smtp-rejected).
        socket.end('554 5.7.1 go away\r\n', () => socket.destroy());
      });
      await new Promise<void>((resolve) => server.listen({ host, port }, resolve));
      port = (server.address() as { port: number }).port;
      servers.push(server);
    }
  });
  afterAll(async () => {
    for (const s of servers) s.unref();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('binds each connection to the next address', async () => {
    const result = await runCli([
      'scan',
      '127.16.250.1-127.16.250.4',
      '--allow-reserved',
      '--no-store',
      '--port',
      String(port),
      '--source-address',
      '127.0.0.2',
      '--source-address',
      '127.0.0.3',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
    expect(seen.sort()).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']);
  });

  it.each([
    [['--source-address', 'nope'], '--source-address "nope": expected an IPv4 or IPv6 address literal'],
    [
      ['--source-address', '192.0.2.1'],
      '--source-address 192.0.2.1: cannot bind it (this machine has no such address)',
    ],
    [['--source-address', '::1'], 'no IPv4 source address was given'],
  ])('refuses %j before any probe (exit 2, one line)', async (extra, message) => {
    const before = seen.length;
    const result = await runCli([
      'scan',
      '127.16.250.1',
      '--allow-reserved',
      '--no-store',
      '--port',
      String(port),
      ...extra,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(seen.length).toBe(before);
  });
});
