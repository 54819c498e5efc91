/**
 * One target written by a user: an address, a CIDR block or an inclusive
 * range `first-last`, IPv4 or IPv6. Every rejection names the text so the
 * CLI can say which line of which file is wrong.
 */
import { UsageError } from '../errors.js';
import type { AddressRange } from './address-range.js';
import { parseIpv4 } from './ipv4.js';
import { parseIpv6 } from './ipv6.js';

const MAX_SPEC_LENGTH = 100;

/** The spec quoted for an error message: escaped and cut short, since it may come from a hostile file. */
export function quoteSpec(spec: string): string {
  return JSON.stringify(spec.length > 60 ? spec.slice(0, 60) + '…' : spec);
}

function parseAddress(text: string): { family: 4; value: number } | { family: 6; value: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

function parseCidr(spec: string, slash: number): AddressRange {
  const base = parseAddress(spec.slice(0, slash));
  const lengthText = spec.slice(slash + 1);
  if (base === null)
    throw new UsageError(`target ${quoteSpec(spec)}: ${quoteSpec(spec.slice(0, slash))} is not an IP address`);
  const max = base.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) {
    throw new UsageError(`target ${quoteSpec(spec)}: prefix length must be a whole number from 0 to ${max}`);
  }
  const length = Number(lengthText);
  // Host bits are cleared, as ZMap does: 192.0.2.7/24 means the /24 that holds 192.0.2.7.
  if (base.family === 4) {
    const hostSize = 2 ** (32 - length);
    const first = Math.floor(base.value / hostSize) * hostSize;
    return { family: 4, first, last: first + hostSize - 1 };
  }
  const hostBits = BigInt(128 - length);
  const first = (base.value >> hostBits) << hostBits;
  return { family: 6, first, last: first + (1n << hostBits) - 1n };
}

function parseRange(spec: string, dash: number): AddressRange {
  const first = parseAddress(spec.slice(0, dash));
  const last = parseAddress(spec.slice(dash + 1));
  if (first === null || last === null) {
    const bad = first === null ? spec.slice(0, dash) : spec.slice(dash + 1);
    throw new UsageError(`target ${quoteSpec(spec)}: ${quoteSpec(bad)} is not an IP address`);
  }
  if (first.family === 4 && last.family === 4) {
    if (first.value > last.value) throw new UsageError(`target ${quoteSpec(spec)}: range ends before it starts`);
    return { family: 4, first: first.value, last: last.value };
  }
  if (first.family === 6 && last.family === 6) {
    if (first.value > last.value) throw new UsageError(`target ${quoteSpec(spec)}: range ends before it starts`);
    return { family: 6, first: first.value, last: last.value };
  }
  throw new UsageError(`target ${quoteSpec(spec)}: range mixes IPv4 and IPv6`);
}

/** Parse one target; throws UsageError naming `spec` when it is not an address, CIDR block or range. */
export function parseTargetSpec(spec: string): AddressRange {
  const text = spec.trim();
  if (text === '') throw new UsageError('target "": empty target');
  if (text.length > MAX_SPEC_LENGTH)
    throw new UsageError(`target ${quoteSpec(text)}: longer than ${MAX_SPEC_LENGTH} characters`);
  const slash = text.indexOf('/');
  if (slash >= 0) return parseCidr(text, slash);
  const dash = text.indexOf('-');
  if (dash >= 0) return parseRange(text, dash);
  const address = parseAddress(text);
  if (address === null) throw new UsageError(`target ${quoteSpec(text)}: not an IP address, CIDR block or range`);
  return address.family === 4
    ? { family: 4, first: address.value, last: address.value }
    : { family: 6, first: address.value, last: address.value };
}
