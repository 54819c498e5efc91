/**
 * IPv6 addresses as 128-bit bigints. Accepts the RFC 4291 text forms (with
 * `::` and a trailing dotted-quad); rejects zone ids, which name a local
 * interface and have no meaning in a campaign. Output follows RFC 5952 so
 * the same address always prints the same way (records are joined on it).
 */
import { parseIpv4 } from './ipv4.js';

const MAX_TEXT = 45; // ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255

function parseGroups(part: string, out: number[]): boolean {
  if (part === '') return true;
  const groups = part.split(':');
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (v4 === null) return false;
      out.push(v4 >>> 16, v4 & 0xffff);
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
    out.push(parseInt(g, 16));
  }
  return true;
}

/** The address as a bigint in [0, 2^128), or null when `text` is not IPv6. */
export function parseIpv6(text: string): bigint | null {
  if (text.length < 2 || text.length > MAX_TEXT || !text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (!parseGroups(halves[0] ?? '', head)) return null;
  if (halves.length === 2) {
    if (!parseGroups(halves[1] ?? '', tail)) return null;
    // A dotted quad may only end the address.
    if ((halves[0] ?? '').includes('.')) return null;
    if (head.length + tail.length > 7) return null;
  } else if (head.length !== 8) {
    return null;
  }
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

export function formatIpv6(address: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address >> shift) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}
