/**
 * The spool: rows that could not reach the store, kept as files until
 * `stripscan store replay` or a writer loads them. One file per batch: a JSON
 * header line naming the table, the dedup token and the row count, then the
 * rows in the format their insert uses (observations: TabSeparated in
 * observation-line.ts's column order; job_stats and campaigns: JSONEachRow).
 * A batch that did reach the store after all is dropped by its dedup token
 * (observations) or replaces itself (job_stats and campaigns are
 * ReplacingMergeTree tables whose rows carry their own version time), so a
 * replay never counts anything twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Version 3 adds `table` (job_stats and campaigns spool too). A version 2
 * file, written by stripscan before it, is an observations batch and is
 * read as one.
 */
export const SPOOL_VERSION = 3;

export const SPOOL_TABLES = ['observations', 'job_stats', 'campaigns'] as const;
export type SpoolTable = (typeof SPOOL_TABLES)[number];

export interface SpoolHeader {
  stripscan_spool: typeof SPOOL_VERSION;
  table: SpoolTable;
  dedup_token: string;
  rows: number;
}

export interface SpooledBatch {
  file: string;
  table: SpoolTable;
  token: string;
  /** One row per line: TabSeparated for observations, JSON for the other tables. */
  body: Buffer;
  rows: number;
}

export interface Spoolable {
  table: SpoolTable;
  token: string;
  body: Buffer;
  rows: number;
}

export async function spoolBatch(dir: string, batch: Spoolable): Promise<string> {
  await mkdir(dir, { recursive: true });
  // Zero-padded time first: names sort oldest first, and replay keeps that order.
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.spool`;
  const header: SpoolHeader = {
    stripscan_spool: SPOOL_VERSION,
    table: batch.table,
    dedup_token: batch.token,
    rows: batch.rows,
  };
  const tmp = join(dir, `.${name}.tmp`);
  // Written aside, flushed and renamed, then the folder flushed: once this
  // returns the batch survives a crash or a power cut, and a crash mid-write
  // leaves a .tmp file that replay ignores, never a truncated batch.
  try {
    await writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), batch.body, Buffer.from('\n')]), {
      flush: true,
    });
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
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

function headerTable(header: Record<string, unknown>): SpoolTable | undefined {
  if (header.stripscan_spool === 2) return 'observations';
  if (header.stripscan_spool !== SPOOL_VERSION) return undefined;
  return SPOOL_TABLES.find((t) => t === header.table);
}

export async function readSpooled(file: string): Promise<SpooledBatch> {
  const bytes = await readFile(file);
  const firstNewline = bytes.indexOf(10);
  let header: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bytes.subarray(0, Math.max(firstNewline, 0)).toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') header = parsed as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  let end = bytes.length;
  if (end > firstNewline + 1 && bytes[end - 1] === 10) end -= 1;
  const body = bytes.subarray(firstNewline + 1, end);
  // TabSeparated and JSON lines both escape newlines inside values: one raw newline per row boundary.
  let rows = body.length === 0 ? 0 : 1;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) rows += 1;
  const table = headerTable(header);
  if (firstNewline < 0 || table === undefined || typeof header.dedup_token !== 'string' || header.rows !== rows) {
    throw new StoreError('E_SPOOL_CORRUPT', `${file} is not a complete stripscan spool batch`);
  }
  return { file, table, token: header.dedup_token, body, rows };
}

export async function removeSpooled(file: string): Promise<void> {
  await rm(file, { force: true });
}
