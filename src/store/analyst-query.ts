/**
 * An analyst's query (`stripscan query`): exactly one statement, read-only
 * unless asked otherwise, against a store it never migrates.
 *
 * - Read-only is ClickHouse's own `readonly = 2` (reads, and settings other
 *   than readonly itself), sent with every request of this one-shot command.
 *   In chDB a setting sticks for the session, which is why only this
 *   process, which writes nothing, ever sends it. On a server a user whose
 *   profile already says readonly = 2 accepts it (an unchanged value is not a
 *   change); readonly = 1 refuses every setting a client sends, ours included.
 * - The SQL goes out as written: the output format travels as the
 *   `default_format` setting, so ClickHouse's error positions count from the
 *   user's SQL (query-refusal.ts moves them past the blanks the client trims).
 * - A missing schema is named, with the command that creates it.
 */
import { existsSync } from 'node:fs';
import { ResultSet, type ClickHouseSettings } from '@clickhouse/client';
import { UsageError } from '../errors.js';
import type { Store } from './open-store.js';
import { multiStatementMessage, queryRefusal } from './query-refusal.js';
import { renderTable } from './render-table.js';
import { readSchemaState, requireSchema } from './schema-state.js';
import { secondStatementAt } from './sql-statements.js';
import { resolveStoreTarget, type StoreLocation } from './store-config.js';

export const QUERY_FORMATS = ['table', 'json', 'csv', 'tsv'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

const CLICKHOUSE_FORMAT = {
  table: 'JSONEachRow',
  json: 'JSONEachRow',
  csv: 'CSVWithNames',
  tsv: 'TabSeparatedWithNames',
} as const;

export interface AnalystQuery {
  sql: string;
  /** Values for the SQL's {name:Type} parameters: they never become SQL text. */
  params: Record<string, string>;
  /** Lift the read-only setting (--write). */
  write: boolean;
  format: QueryFormat;
}

/** Refuses SQL of several statements before anything is opened or sent. */
export function assertOneStatement(sql: string): void {
  const at = secondStatementAt(sql);
  if (at === null) return;
  const second = sql.slice(at).replace(/\s+/g, ' ').slice(0, 40);
  throw new UsageError(`query: ${multiStatementMessage}; the second begins at position ${at + 1}: ${second}`);
}

/** An embedded store that does not exist is a mistyped --data-dir: a read must not create it. */
export function assertStoreExists(location: StoreLocation): void {
  const target = resolveStoreTarget(location);
  if (target.kind === 'embedded' && !existsSync(target.dataDir)) {
    throw new UsageError(
      `--data-dir ${target.dataDir}: no store there; a scan creates one, or \`stripscan migrate --data-dir ${target.dataDir}\` an empty one`,
    );
  }
}

/**
 * Runs the query and yields its output text (a table as one piece, other
 * formats line by line as ClickHouse sends them). Warnings about the schema
 * go to `warn`.
 */
export async function runAnalystQuery(
  store: Store,
  query: AnalystQuery,
  warn: (line: string) => void,
): Promise<AsyncIterable<string>> {
  assertOneStatement(query.sql);
  const readOnly: ClickHouseSettings = query.write ? {} : { readonly: '2' };
  const schema = await readSchemaState(store.client, readOnly).catch((err: unknown) => {
    throw queryRefusal(err, { sql: query.sql, write: query.write, where: store.description });
  });
  requireSchema(schema, store.description, warn);
  const format = CLICKHOUSE_FORMAT[query.format];
  let result;
  try {
    result = await store.client.exec({
      query: query.sql,
      query_params: query.params,
      clickhouse_settings: { ...readOnly, default_format: format },
    });
  } catch (err) {
    throw queryRefusal(err, { sql: query.sql, write: query.write, where: store.description });
  }
  const rows = new ResultSet(result.stream, format, result.query_id, undefined, result.response_headers);
  if (query.format === 'table') return oneTable(rows);
  return lines(rows);
}

async function* oneTable(rows: ResultSet<'JSONEachRow'>): AsyncIterable<string> {
  let parsed: Record<string, unknown>[];
  try {
    parsed = await rows.json<Record<string, unknown>>();
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new UsageError(
      '--format table: the result is not rows of JSON; a FORMAT clause in the SQL overrides --format (leave it out, or use --format csv, tsv or json to print what ClickHouse sends)',
      { cause: err },
    );
  }
  yield renderTable(parsed);
}

async function* lines(
  rows: ResultSet<'JSONEachRow' | 'CSVWithNames' | 'TabSeparatedWithNames'>,
): AsyncIterable<string> {
  for await (const batch of rows.stream()) {
    yield batch.map((row) => `${row.text}\n`).join('');
  }
}
