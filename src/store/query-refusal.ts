/**
 * ClickHouse's refusal of an analyst's query, in ClickHouse's own words, as
 * one line whose positions count from the start of the SQL the user wrote.
 *
 * The query is sent as written (the output format travels as the
 * `default_format` setting, never as an appended FORMAT clause), except that
 * the client trims it: a syntax error's "position N" and "(line L, col C)"
 * count from its first non-blank character, and are moved back here.
 * ClickHouse counts bytes (UTF-8) from 1.
 */
import { ClickHouseError } from '@clickhouse/client';
import { StoreError, UsageError } from '../errors.js';

/** ClickHouse READONLY: a write in readonly mode, or a setting a readonly = 1 user may not send. */
const READONLY = 164;

export interface SentQuery {
  /** The SQL as the user gave it. */
  sql: string;
  /** Whether --write lifted the read-only setting. */
  write: boolean;
  /** The store, for the message (never with a password). */
  where: string;
}

/** The program's error for a refused query; anything that is not a ClickHouse exception is returned unchanged. */
export function queryRefusal(err: unknown, sent: SentQuery): unknown {
  const exception = clickhouseException(err);
  if (exception === undefined) return err;
  const text = relocate(exception.message.replace(/\s+/g, ' ').trim(), sent.sql);
  if (/Multi-statements are not allowed/.test(text)) {
    return new UsageError(`query: ${multiStatementMessage}`, { cause: err });
  }
  const said = new Error(text, { cause: err });
  return new StoreError(
    'E_QUERY_REFUSED',
    `ClickHouse at ${sent.where} refused the query: ${text}${hint(exception, sent)}`,
    {
      cause: said,
    },
  );
}

export const multiStatementMessage =
  'the SQL holds more than one statement; stripscan query runs exactly one (run them one at a time)';

function hint(exception: { code: number; message: string }, sent: SentQuery): string {
  if (exception.code !== READONLY) return '';
  if (/Cannot modify '(?!readonly')\w+' setting in readonly mode/.test(exception.message)) {
    return ' (this ClickHouse user has readonly = 1, which refuses every setting a client sends: give it readonly = 2, see docs/schema.md)';
  }
  return sent.write
    ? ' (this ClickHouse user may not write)'
    : ' (stripscan query is read-only; --write allows changes)';
}

function clickhouseException(err: unknown): { code: number; message: string } | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ClickHouseError) return { code: Number(e.code), message: e.message };
    // chDB's text when the client could not parse it.
    const text = /^Code: (\d+)\. DB::Exception: ([\s\S]*)$/.exec(e.message);
    if (text) return { code: Number(text[1]), message: text[2] ?? '' };
  }
  return undefined;
}

/** Moves "position N" and "(line L, col C)" from the trimmed SQL the client sent to the SQL as written. */
export function relocate(text: string, sql: string): string {
  const lead = sql.length - sql.trimStart().length;
  const bytes = Buffer.from(sql, 'utf8');
  const multiline = sql.trimEnd().includes('\n');
  let located: string | null = null;
  const moved = text.replace(/failed at position (\d+)/, (_, n: string) => {
    const position = Number(n) + lead;
    located = lineAndColumn(bytes, position);
    return `failed at position ${position}`;
  });
  if (located === null) return moved;
  const withLine = moved.replace(/ \(line \d+, col \d+\)/, '');
  return multiline ? withLine.replace(/failed at position \d+/, (m) => `${m} (${located as string})`) : withLine;
}

function lineAndColumn(bytes: Buffer, position: number): string {
  const before = bytes.subarray(0, Math.max(0, position - 1));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, col ${before.length - lineStart + 1}`;
}
