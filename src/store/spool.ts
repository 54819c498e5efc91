/**
 * The spool: batches that could not be inserted after all retries, kept as
 * files (a JSON header line, then the TabSeparated rows) until `stripscan store replay` (or the next writer) loads them.
 * The first line is a header with the dedup token, so a replay of a batch that
 * did reach the store after all is dropped by ClickHouse, not counted twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Version 2: the body is TabSeparated in observation-line.ts's column order.
 * (Version 1 bodies were JSONEachRow; none were ever shipped, so a version 1
 * file is refused like any other unknown file rather than converted.)
 */
export const SPOOL_VERSION = 2;

export interface SpoolHeader {
  stripscan_spool: typeof SPOOL_VERSION;
  dedup_token: string;
  rows: number;
}

export interface SpooledBatch {
  file: string;
  token: string;
  /** TabSeparated body, one observation per line. */
  body: Buffer;
  rows: number;
}

export async function spoolBatch(dir: string, token: string, body: Buffer, rows: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  // Zero-padded time first: names sort oldest first, and replay keeps that order.
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.spool`;
  const header: SpoolHeader = { stripscan_spool: SPOOL_VERSION, dedup_token: token, rows };
  const tmp = join(dir, `.${name}.tmp`);
  // Written aside and renamed: a crash mid-write leaves a .tmp file that
  // replay ignores, never a truncated batch that looks complete.
  await writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body, Buffer.from('\n')]), {
    flush: true,
  });
  await rename(tmp, join(dir, name));
  return join(dir, name);
}

export async function listSpool(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => n.endsWith('.spool') && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError('E_SPOOL_READ', `cannot read spool folder ${dir}`, { cause: err });
  }
}

export async function readSpooled(file: string): Promise<SpooledBatch> {
  const bytes = await readFile(file);
  const firstNewline = bytes.indexOf(10);
  let header: Partial<SpoolHeader> = {};
  try {
    header = JSON.parse(bytes.subarray(0, Math.max(firstNewline, 0)).toString('utf8')) as Partial<SpoolHeader>;
  } catch {
    /* reported below */
  }
  let end = bytes.length;
  if (end > firstNewline + 1 && bytes[end - 1] === 10) end -= 1;
  const body = bytes.subarray(firstNewline + 1, end);
  // TabSeparated escapes newlines inside values: one raw newline per row boundary.
  let rows = body.length === 0 ? 0 : 1;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) rows += 1;
  if (
    firstNewline < 0 ||
    header.stripscan_spool !== SPOOL_VERSION ||
    typeof header.dedup_token !== 'string' ||
    header.rows !== rows
  ) {
    throw new StoreError('E_SPOOL_CORRUPT', `spool file ${file} is not a complete stripscan batch; left in place`);
  }
  return { file, token: header.dedup_token, body, rows };
}

export async function removeSpooled(file: string): Promise<void> {
  await rm(file, { force: true });
}
