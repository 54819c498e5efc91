/**
 * Opens the store: embedded chDB (one data directory per process, owned by
 * this process alone) or a ClickHouse server over HTTP. Both give the same
 * `@clickhouse/client` instance, so the schema and queries are shared.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { StoreError } from '../errors.js';
import { embeddedInserter, serverInserter, type ObservationInserter } from './insert-observations.js';
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from './migrations.js';
import { DEFAULT_HTTP_SPOOL_DIR, resolveStoreTarget, type StoreLocation, type StoreTarget } from './store-config.js';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface OpenStoreOptions extends StoreLocation {
  /** Folder of numbered .sql files; tests point it at a copy. */
  migrationsDir?: string;
}

export interface Store {
  readonly client: ClickHouseClient;
  readonly target: StoreTarget;
  /** Where writers spool batches that could not be inserted. */
  readonly spoolDir: string;
  /** Human-readable location for messages (never contains a password). */
  readonly description: string;
  /** Inserts one TabSeparated observation batch (observation-line.ts), deduplicated by token. */
  readonly insertObservations: ObservationInserter;
  migrate(): Promise<{ applied: string[] }>;
  close(): Promise<void>;
}

/**
 * Shared by both backends: numbers as JSON numbers (counts stay far below
 * 2^53), ISO timestamps accepted on input, and synchronous inserts. With
 * async_insert the server acknowledges before the rows are written, and with
 * wait_for_async_insert=0 a crash loses them silently; the writer already
 * batches, so async inserts would buy nothing and cost the guarantee.
 */
export const SESSION_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  date_time_input_format: 'best_effort',
  async_insert: 0,
};

export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const target = resolveStoreTarget(opts);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  if (target.kind === 'embedded') return openEmbedded(target.dataDir, migrationsDir, target);
  const client = createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    database: target.database,
    clickhouse_settings: SESSION_SETTINGS,
    request_timeout: 60_000,
  });
  return makeStore(
    client,
    serverInserter(client),
    target,
    resolve(DEFAULT_HTTP_SPOOL_DIR),
    migrationsDir,
    target.display,
  );
}

async function openEmbedded(dataDir: string, migrationsDir: string, target: StoreTarget): Promise<Store> {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (cause) {
    throw new StoreError('E_STORE_DATA_DIR', `cannot create data directory ${dataDir}`, { cause });
  }
  const { createChdbConnection } = await import('chdb/connection');
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: dataDir });
  } catch (cause) {
    const text = String(cause instanceof Error ? cause.message : cause);
    if (/only one active data directory/i.test(text)) {
      throw new StoreError(
        'E_STORE_BUSY',
        `cannot open ${dataDir}: this process already has another embedded store open (chDB allows one data directory per process)`,
        { cause },
      );
    }
    throw new StoreError(
      'E_STORE_LOCKED',
      `cannot open embedded store ${dataDir}: another process is using it (chDB data directories cannot be shared; stop the other process, or use a ClickHouse server with --clickhouse)`,
      { cause },
    );
  }
  // chdb 3.4 types its connection against @clickhouse/client-common 1.23.0,
  // the client ships its own copy of the same declarations (1.23.1): identical
  // shapes that TypeScript treats as distinct, hence the cast.
  const client = createClient({
    connection: connection as unknown as ClientConnection,
    clickhouse_settings: SESSION_SETTINGS,
  });
  return makeStore(client, embeddedInserter(connection.chdb), target, join(dataDir, 'spool'), migrationsDir, dataDir);
}

function makeStore(
  client: ClickHouseClient,
  insertObservations: ObservationInserter,
  target: StoreTarget,
  spoolDir: string,
  migrationsDir: string,
  description: string,
): Store {
  let closed = false;
  return {
    client,
    target,
    spoolDir,
    description,
    insertObservations,
    migrate: () => runMigrations(client, migrationsDir),
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
