/**
 * How the store's schema compares with this program's migrations, read
 * without changing anything: commands that only read (`stripscan query`)
 * never migrate, so that a read-only ClickHouse user can run them, and say
 * what is missing instead.
 */
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { UsageError } from '../errors.js';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from './migrations.js';

export interface SchemaState {
  /** No schema_migrations table: nothing was ever migrated here. */
  empty: boolean;
  /** Migration files not applied to the store yet. */
  pending: string[];
  /** Versions the store has that this program does not know (a newer program migrated it). */
  unknown: string[];
}

export async function readSchemaState(
  client: ClickHouseClient,
  settings: ClickHouseSettings = {},
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<SchemaState> {
  const files = loadMigrations(dir);
  const [exists] = await (
    await client.query({
      query: 'EXISTS TABLE schema_migrations',
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    })
  ).json<{ result: number }>();
  if (exists?.result !== 1) return { empty: true, pending: files.map((f) => f.name), unknown: [] };
  const rows = await (
    await client.query({
      query: 'SELECT DISTINCT version FROM schema_migrations',
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    })
  ).json<{ version: string }>();
  const applied = new Set(rows.map((r) => r.version));
  return {
    empty: false,
    pending: files.filter((f) => !applied.has(f.version)).map((f) => f.name),
    unknown: [...applied].filter((v) => !files.some((f) => f.version === v)).sort(),
  };
}

/**
 * For a command that reads: a store without the schema is named (exit 2) with
 * the command that creates it; one that lacks migrations or has unknown ones
 * is read anyway, with a warning.
 */
export function requireSchema(state: SchemaState, where: string, warn: (line: string) => void): void {
  if (state.empty) {
    throw new UsageError(
      `${where}: no stripscan schema in this store (nothing was migrated or stored here); run \`stripscan migrate\` with the same --data-dir or --clickhouse first`,
    );
  }
  if (state.pending.length > 0) {
    warn(
      `this store lacks migrations ${state.pending.join(', ')} (columns and tables they add are missing); \`stripscan migrate\` applies them`,
    );
  }
  if (state.unknown.length > 0) {
    warn(`this store has migrations ${state.unknown.join(', ')} that this program does not know: it is newer`);
  }
}
