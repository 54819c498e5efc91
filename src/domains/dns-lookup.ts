/**
 * A `lookup` function for node:net / node:https that resolves through a
 * DnsClient (A, then AAAA), so that connections `stripscan domains` opens by
 * name — the MTA-STS policy fetch — ask the chosen resolver, never the
 * system's (Node's default `dns.lookup` calls getaddrinfo).
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { DnsClient } from './dns-client.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export function lookupThrough(dns: DnsClient): LookupFunction {
  return (hostname, options, callback) => {
    void resolveAll(dns, hostname, options.family).then(
      (addresses) => {
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname}: no address through the resolver`);
          err.code = 'ENOTFOUND';
          callback(err, '');
        } else if (options.all === true) {
          callback(null, addresses);
        } else {
          const first = addresses[0] as LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}

async function resolveAll(dns: DnsClient, hostname: string, family: LookupOptions['family']): Promise<LookupAddress[]> {
  const wantV4 = family === undefined || family === 0 || family === 4 || family === 'IPv4';
  const wantV6 = family === undefined || family === 0 || family === 6 || family === 'IPv6';
  const [a, aaaa] = await Promise.all([
    wantV4 ? dns.query(hostname, 'A') : null,
    wantV6 ? dns.query(hostname, 'AAAA') : null,
  ]);
  return [
    ...(a?.records ?? []).map((address) => ({ address, family: 4 })),
    ...(aaaa?.records ?? []).map((address) => ({ address, family: 6 })),
  ];
}
