/**
 * The fleet's address range: a CIDR inside 127.0.0.0/8, or ::1 alone. The
 * fleet is loopback-only by design, so anything else is refused here, at the
 * boundary, before a socket exists.
 */
import { UsageError } from '../errors.js';

export interface FleetRange {
  /** The range as given, normalised (`127.16.0.0/16`, `::1/128`). */
  readonly cidr: string;
  readonly family: 4 | 6;
  /** First address as an unsigned 32-bit number (IPv4); 0 for ::1. */
  readonly first: number;
  /** Number of addresses, network address included: loopback has no broadcast. */
  readonly size: number;
}

/** One process serves it, with or without an implicit-TLS port: 4,096 or 8,192 listeners (open-files.ts). */
export const DEFAULT_RANGE = '127.16.0.0/20';

const LOOPBACK_V6 = '::1';
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseFleetRange(flag: string, text: string): FleetRange {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addr = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash === -1 ? undefined : trimmed.slice(slash + 1);

  if (addr === LOOPBACK_V6 || addr === '0:0:0:0:0:0:0:1') {
    if (prefixText !== undefined && prefixText !== '128') {
      throw new UsageError(`${flag} ${JSON.stringify(text)}: the only IPv6 fleet address is ::1 (::1/128)`);
    }
    return { cidr: '::1/128', family: 6, first: 0, size: 1 };
  }

  const value = parseIpv4(addr);
  if (value === null) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected an IPv4 CIDR inside 127.0.0.0/8 (or ::1)`);
  }
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 8 && prefix <= 32)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: expected a prefix length from 8 to 32 (the range must stay inside 127.0.0.0/8)`,
    );
  }
  if (value >>> 24 !== 127) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: the simulated fleet serves loopback only; use a range inside 127.0.0.0/8 or ::1`,
    );
  }
  const size = 2 ** (32 - prefix);
  const first = size === 2 ** 32 ? 0 : value - (value % size);
  if (first !== value) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: host bits are set; did you mean ${formatIpv4(first)}/${prefix}?`,
    );
  }
  return { cidr: `${formatIpv4(first)}/${prefix}`, family: 4, first, size };
}

/** Index of `ip` within the range, or -1 when it lies outside. */
export function indexInRange(range: FleetRange, ip: string): number {
  if (range.family === 6) return normaliseV6(ip) === LOOPBACK_V6 ? 0 : -1;
  const value = parseIpv4(stripMappedPrefix(ip));
  if (value === null) return -1;
  const offset = value - range.first;
  return offset >= 0 && offset < range.size ? offset : -1;
}

export function addressAt(range: FleetRange, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= range.size) {
    throw new RangeError(`address index ${index} outside ${range.cidr}`);
  }
  return range.family === 6 ? LOOPBACK_V6 : formatIpv4(range.first + index);
}

export function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined) return false;
  if (normaliseV6(ip) === LOOPBACK_V6) return true;
  const value = parseIpv4(stripMappedPrefix(ip));
  return value !== null && value >>> 24 === 127;
}

export function parseIpv4(text: string): number | null {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d. */
function stripMappedPrefix(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function normaliseV6(ip: string): string {
  return ip === '0:0:0:0:0:0:0:1' ? LOOPBACK_V6 : ip;
}
