/**
 * The spool: rows that could not reach the store, kept as files until
 * `stripscan store replay` or a writer loads them. One file per batch: a JSON
 * header line naming the table, the format, the dedup token, the row count
 * and the body's length, then the body: the bytes its insert uses
 * (observations: Native blocks, observation-block.ts; job_stats and
 * campaigns: JSON lines).
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
 * Version 4 adds `format` (observations as Native blocks) and `bytes`: a
 * binary body has no line to count, so its length proves it complete.
 * Versions 2 and 3, written by stripscan before it, still replay: their
 * observations are TabSeparated lines (legacy-tsv.ts), version 3's other
 * tables JSON lines, and both are counted by lines. Version 3 added `table`;
 * a version 2 file is an observations batch.
 */
export const SPOOL_VERSION = 4;

export const SPOOL_TABLES = ['observations', 'job_stats', 'campaigns'] as const;
export type SpoolTable = (typeof SPOOL_TABLES)[number];

/** How each table's rows are written: observations as Native blocks (TabSeparated in old files), the others as JSON lines. */
type Kind =
  | { table: 'observations'; format: 'Native' | 'TabSeparated' }
  | { table: 'job_stats' | 'campaigns'; format: 'JSONEachRow' };

export interface SpoolHeader {
  stripscan_spool: typeof SPOOL_VERSION;
  table: SpoolTable;
  format: Kind['format'];
  dedup_token: string;
  rows: number;
  bytes: number;
}

export type Spoolable = Kind & {
  token: string;
  body: Buffer;
  rows: number;
};

export type SpooledBatch = Spoolable & { file: string };

export async function spoolBatch(dir: string, batch: Spoolable): Promise<string> {
  await mkdir(dir, { recursive: true });
  // Zero-padded time first: names sort oldest first, and replay keeps that order.
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.spool`;
  const header: SpoolHeader = {
    stripscan_spool: SPOOL_VERSION,
    table: batch.table,
    format: batch.format,
    dedup_token: batch.token,
    rows: batch.rows,
    bytes: batch.body.length,
  };
  const tmp = join(dir, `.${name}.tmp`);
  // Written aside, flushed and renamed, then the folder flushed: once this
  // returns the batch survives a crash or a power cut, and a crash mid-write
  // leaves a .tmp file that replay ignores, never a truncated batch.
  try {
    await writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), batch.body]), { flush: true });
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

/** What a header of any version says about its body; undefined when it is not a header stripscan writes. */
function readHeader(header: Record<string, unknown>): Kind | undefined {
  const version = header.stripscan_spool;
  if (version === 2) return { table: 'observations', format: 'TabSeparated' };
  if (version !== 3 && version !== SPOOL_VERSION) return undefined;
  const table = SPOOL_TABLES.find((t) => t === header.table);
  if (table === undefined) return undefined;
  if (table !== 'observations') {
    return version === 3 || header.format === 'JSONEachRow' ? { table, format: 'JSONEachRow' } : undefined;
  }
  if (version === 3) return { table, format: 'TabSeparated' };
  return header.format === 'Native' || header.format === 'TabSeparated' ? { table, format: header.format } : undefined;
}

/** Rows of a body of lines (TabSeparated and JSON lines both escape newlines inside values). */
function countLines(body: Buffer): number {
  let rows = body.length === 0 ? 0 : 1;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) rows += 1;
  return rows;
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
  const corrupt = () => new StoreError('E_SPOOL_CORRUPT', `${file} is not a complete stripscan spool batch`);
  const kind = readHeader(header);
  if (firstNewline < 0 || kind === undefined || typeof header.dedup_token !== 'string') throw corrupt();
  let body = bytes.subarray(firstNewline + 1);
  if (header.stripscan_spool === SPOOL_VERSION) {
    if (header.bytes !== body.length || !Number.isSafeInteger(header.rows)) throw corrupt();
  } else {
    // Versions 2 and 3 end the body with a newline.
    if (body.length > 0 && body[body.length - 1] === 10) body = body.subarray(0, -1);
    if (header.rows !== countLines(body)) throw corrupt();
  }
  return { file, ...kind, token: header.dedup_token, body, rows: header.rows as number };
}

export async function removeSpooled(file: string): Promise<void> {
  await rm(file, { force: true });
}
