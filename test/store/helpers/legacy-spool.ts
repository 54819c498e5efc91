/**
 * Spool files as stripscan wrote them before Native blocks (versions 2 and
 * 3): a JSON header line, one TabSeparated line per record, a newline. The
 * line encoder is the one stripscan used then (src/store/observation-line.ts
 * until spool version 4), kept here so that replaying such files stays tested.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, type ScanRecord } from '../../../src/record.js';

const NEEDS_ESCAPE = /[\\\t\n\r\0']/;

function tsvEscape(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\0', '\\0')
    .replaceAll("'", "\\'");
}

function tsvField(v: unknown): string {
  if (v === null) return '\\N';
  if (typeof v === 'string') return tsvEscape(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i === 0 ? '' : ','}'${tsvEscape(String(v[i]))}'`;
    return `${out}]`;
  }
  return String(v);
}

/** The record fields before migration 0005 (spool files of version 2 written then had these columns). */
export const FIELDS_BEFORE_0005 = RECORD_FIELDS.filter(
  (f) => !['server_name', 'strip_evidence', 'cert_validity', 'cert_name_matches'].includes(f),
);

export function tsvLine(r: ScanRecord, fields: readonly string[] = RECORD_FIELDS): string {
  return fields.map((f) => tsvField(r[f as keyof ScanRecord])).join('\t');
}

/** Writes a legacy observations spool file (version 2 has no `table`); returns its path. */
export function writeLegacySpool(
  dir: string,
  version: 2 | 3,
  token: string,
  records: readonly ScanRecord[],
  fields: readonly string[] = RECORD_FIELDS,
): string {
  mkdirSync(dir, { recursive: true });
  const header =
    version === 2
      ? { stripscan_spool: 2, dedup_token: token, rows: records.length }
      : { stripscan_spool: 3, table: 'observations', dedup_token: token, rows: records.length };
  const file = join(
    dir,
    `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.spool`,
  );
  const body = records.map((r) => tsvLine(r, fields)).join('\n');
  writeFileSync(file, `${JSON.stringify(header)}\n${body}\n`);
  return file;
}
