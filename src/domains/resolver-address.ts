/**
 * Which resolver `stripscan domains` asks: `--resolver IP[:PORT]`, or the
 * system's first `nameserver` in /etc/resolv.conf. Only an address is taken
 * (never a name: resolving the resolver's name would need a resolver), so
 * every query goes to one place the user can see in the domain rows.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { ResolverAddress } from './dns-client.js';

const DNS_PORT = 53;

/** `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`, `[2001:db8::53]:5353`. */
export function parseResolverAddress(text: string, flag = '--resolver'): ResolverAddress {
  const bad = (): never => {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: expected an IP address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:5353)`,
    );
  };
  const trimmed = text.trim();
  let host = trimmed;
  let portText: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2] ?? null;
  } else if (isIP(trimmed) === 0) {
    const colon = trimmed.lastIndexOf(':');
    if (colon < 0) bad();
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (isIP(host) !== 4) bad();
  }
  if (isIP(host) === 0) bad();
  if (portText === null) return { host, port: DNS_PORT };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) bad();
  return { host, port };
}

/** The first `nameserver` of resolv.conf (the system's resolver, as the C library would ask it). */
export function systemResolver(resolvConf = '/etc/resolv.conf'): ResolverAddress {
  let text: string;
  try {
    text = readFileSync(resolvConf, 'utf8');
  } catch (err) {
    throw new UsageError(
      `no --resolver given and ${resolvConf} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): name a resolver with --resolver IP[:PORT]`,
      { cause: err },
    );
  }
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    // A scoped IPv6 address (fe80::1%eth0) is usable by the socket but not by isIP: keep the address part.
    const address = match?.[1]?.split('%')[0];
    if (address !== undefined && isIP(address) !== 0) return { host: address, port: DNS_PORT };
  }
  throw new UsageError(`no --resolver given and ${resolvConf} names no nameserver: name one with --resolver IP[:PORT]`);
}

export function formatResolverAddress(r: ResolverAddress): string {
  return isIP(r.host) === 6 ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}
