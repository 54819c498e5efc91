/**
 * Migrations runner. Files are `NNNN_name.sql` in one folder, statements
 * separated by `;` at the end of a line, applied in order and recorded in
 * `schema_migrations` with the sha256 of the file.
 *
 * Concurrency: ClickHouse has no transactions or locks for DDL, so instead of
 * a lease the runner requires every statement to be idempotent (`IF NOT
 * EXISTS` / `IF EXISTS`). Two processes migrating at once then run the same
 * statements twice with the same result, and `schema_migrations` is a
 * ReplacingMergeTree keyed by version, so a version recorded twice is one row.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import type { ClickHouseClient } from '@clickhouse/client';
import { StoreError } from '../errors.js';
import { isStoreOutage, oneLine, storeFailure } from './store-errors.js';

export const DEFAULT_MIGRATIONS_DIR = join(PACKAGE_ROOT, 'migrations');

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const IDEMPOTENT = /\bIF\s+(NOT\s+)?EXISTS\b/i;

export interface MigrationFile {
  version: string;
  name: string;
  checksum: string;
  statements: string[];
}

export function loadMigrations(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (cause) {
    throw new StoreError('E_MIGRATIONS_DIR', `cannot read migrations folder ${dir}`, { cause });
  }
  const files: MigrationFile[] = [];
  for (const name of names.sort()) {
    const match = FILE_NAME.exec(name);
    if (!match?.[1]) {
      throw new StoreError(
        'E_MIGRATION_NAME',
        `migration ${name} in ${dir}: expected a name like 0001_description.sql`,
      );
    }
    const text = readFileSync(join(dir, name), 'utf8');
    const statements = splitStatements(text);
    for (const statement of statements) {
      if (!IDEMPOTENT.test(statement)) {
        throw new StoreError(
          'E_MIGRATION_NOT_IDEMPOTENT',
          `migration ${name}: every statement must use IF NOT EXISTS / IF EXISTS so that concurrent runs are safe; this one does not: ${statement.slice(0, 80)}`,
        );
      }
    }
    if (files.some((f) => f.version === match[1])) {
      throw new StoreError('E_MIGRATION_NAME', `migration ${name}: version ${match[1]} is used by two files`);
    }
    files.push({ version: match[1], name, checksum: sha256(text), statements });
  }
  return files;
}

/** Whole-line `--` comments are dropped first so that a `;` inside one cannot split a statement. */
export function splitStatements(text: string): string[] {
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return code
    .split(/;[ \t\r]*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
}

export async function runMigrations(client: ClickHouseClient, dir: string): Promise<{ applied: string[] }> {
  const files = loadMigrations(dir);
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
      (version String, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
  });
  const appliedRows = await (
    await client.query({
      query:
        'SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version',
      format: 'JSONEachRow',
    })
  ).json<AppliedRow>();
  const applied = new Map(appliedRows.map((r) => [r.version, r]));
  for (const row of appliedRows) {
    const file = files.find((f) => f.version === row.version);
    if (!file) {
      throw new StoreError(
        'E_MIGRATION_UNKNOWN',
        `the store has migration ${row.name} applied, which is not in ${dir}: this program is older than the store`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new StoreError(
        'E_MIGRATION_CHANGED',
        `migration ${file.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the store, ${file.checksum.slice(0, 12)}… on disk): add a new migration instead of editing an applied one`,
      );
    }
  }
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.version)) continue;
    for (const statement of file.statements) {
      try {
        await client.command({ query: statement });
      } catch (cause) {
        // An outage is not the migration's fault: let the caller name it as one.
        if (isStoreOutage(storeFailure(cause, ''))) throw cause;
        throw new StoreError(
          'E_MIGRATION_FAILED',
          `migration ${file.name} failed: ${oneLine(cause instanceof Error ? cause.message : String(cause))}`,
          { cause },
        );
      }
    }
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: file.version, name: file.name, checksum: file.checksum }],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: '' },
    });
    done.push(file.name);
  }
  return { applied: done };
}
