/**
 * Parsers for IP-to-ASN data sets, both reduced to CIDR prefixes for the
 * ip_trie dictionary:
 *  - iptoasn ip2asn-v4.tsv: range_start, range_end, AS_number, country_code,
 *    AS_description (inclusive ranges; AS 0 means "not routed" and is skipped);
 *  - CAIDA pfx2as: prefix, length, AS (multi-origin `a_b` keeps the first,
 *    AS sets `a,b` likewise).
 * A malformed line is an error naming the file's line, not a silent skip.
 */
import { isIPv4 } from 'node:net';
import { UsageError } from '../errors.js';

export type AsnFormat = 'ip2asn' | 'pfx2as';
export const ASN_FORMATS: readonly AsnFormat[] = ['ip2asn', 'pfx2as'];

export interface AsnPrefix {
  prefix: string;
  asn: number;
  country: string;
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The fewest CIDR blocks that cover [start, end] exactly. */
export function rangeToCidrs(start: number, end: number): string[] {
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    let size = 32;
    while (size > 0) {
      const block = 2 ** (32 - (size - 1));
      if (cur % block !== 0 || cur + block - 1 > end) break;
      size -= 1;
    }
    out.push(`${numberToIpv4(cur)}/${size}`);
    cur += 2 ** (32 - size);
  }
  return out;
}

function parseAsn(text: string, where: string): number {
  const first = text.split(/[_,]/)[0] ?? '';
  if (!/^\d{1,10}$/.test(first) || Number(first) > 4294967295) {
    throw new UsageError(`${where}: AS number ${JSON.stringify(text)} is not a number from 0 to 4294967295`);
  }
  return Number(first);
}

export function parseAsnFile(text: string, format: AsnFormat, file: string): AsnPrefix[] {
  const out: AsnPrefix[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const where = `${file} line ${i + 1}`;
    const cols = line.split('\t');
    if (format === 'ip2asn') {
      const [start, end, asText, country] = cols;
      if (cols.length < 4 || !isIPv4(start ?? '') || !isIPv4(end ?? '')) {
        throw new UsageError(
          `${where}: expected range_start, range_end, AS, country separated by tabs, got ${JSON.stringify(line.slice(0, 100))}`,
        );
      }
      const asn = parseAsn(asText ?? '', where);
      const from = ipv4ToNumber(start ?? '');
      const to = ipv4ToNumber(end ?? '');
      if (to < from) throw new UsageError(`${where}: range end ${end} is before its start ${start}`);
      if (asn === 0) continue;
      const cc = (country ?? '').trim();
      for (const prefix of rangeToCidrs(from, to)) out.push({ prefix, asn, country: cc === 'None' ? '' : cc });
    } else {
      const [address, lengthText, asText] = cols;
      const length = Number(lengthText);
      if (cols.length < 3 || !isIPv4(address ?? '') || !/^\d{1,2}$/.test(lengthText ?? '') || length > 32) {
        throw new UsageError(
          `${where}: expected prefix, length, AS separated by tabs, got ${JSON.stringify(line.slice(0, 100))}`,
        );
      }
      out.push({ prefix: `${address}/${length}`, asn: parseAsn(asText ?? '', where), country: '' });
    }
  }
  return out;
}
