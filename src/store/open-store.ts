/**
 * Opens the store: embedded chDB (one data directory per process, owned by
 * this process alone) or a ClickHouse server over HTTP. Both give the same
 * `@clickhouse/client` instance, so the schema and queries are shared.
 *
 * Opening connects to nothing. `migrate()`, which every command runs first,
 * asks a server for /ping within the service timeout and fails with
 * UnavailableError (exit 3) when it does not answer; its failures come out
 * as the program's errors (store-errors.ts), never as the client's.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { SERVICE_TIMEOUT_DEFAULT_MS } from '../cli/service-timeout.js';
import { StoreError, UnavailableError } from '../errors.js';
import { embeddedInserter, serverInserter, type ObservationInserter } from './insert-observations.js';
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from './migrations.js';
import { resolveStoreTarget, spoolDirFor, type StoreLocation, type StoreTarget } from './store-config.js';
import { oneLine, storeFailure } from './store-errors.js';

/** Inside the embedded data directory: the block file of the insert in flight (insert-observations.ts). */
const BLOCK_FILE_DIR = 'ingest';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface OpenStoreOptions extends StoreLocation {
  /** Folder of numbered .sql files; tests point it at a copy. */
  migrationsDir?: string;
  /** How long a server may take to answer /ping before it counts as unreachable (default 5,000 ms). */
  serviceTimeoutMs?: number;
}

export interface Store {
  readonly client: ClickHouseClient;
  readonly target: StoreTarget;
  /** Where writers spool batches that could not be inserted. */
  readonly spoolDir: string;
  /** Human-readable location for messages (never contains a password). */
  readonly description: string;
  /** Inserts one observation batch (Native blocks, or TabSeparated lines from an old spool file), deduplicated by token. */
  readonly insertObservations: ObservationInserter;
  /** Throws UnavailableError unless a server answers /ping within the service timeout (the embedded store always does). */
  checkReachable(): Promise<void>;
  /** checkReachable(), then the pending migrations; failures as UnavailableError or StoreError. */
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

/**
 * The client's own logger prints a multi-line dump for every failed request
 * (and ping); every failure reaches the caller as an error anyway, which the
 * program turns into one line.
 */
const SILENT = { level: ClickHouseLogLevel.OFF };

export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const target = resolveStoreTarget(opts);
  const spoolDir = spoolDirFor(target, opts);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  if (target.kind === 'embedded') return openEmbedded(target.dataDir, migrationsDir, target, spoolDir);
  const client = createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    database: target.database,
    clickhouse_settings: SESSION_SETTINGS,
    // A query may run long; reaching the server is bounded by checkReachable().
    request_timeout: 60_000,
    log: SILENT,
  });
  const timeoutMs = opts.serviceTimeoutMs ?? SERVICE_TIMEOUT_DEFAULT_MS;
  return makeStore(client, serverInserter(client), target, spoolDir, migrationsDir, target.display, () =>
    pingServer(client, target.display, timeoutMs),
  );
}

async function pingServer(client: ClickHouseClient, where: string, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const result = await client.ping({ select: false, abort_signal: abort.signal });
    if (result.success) return;
    if (abort.signal.aborted) throw new UnavailableError('ClickHouse', where, `no answer within ${timeoutMs} ms`);
    const failure = storeFailure(result.error, where);
    if (failure instanceof Error && failure !== result.error) throw failure;
    // Something answered, but not as ClickHouse does (an HTTP error page, a proxy).
    throw new UnavailableError('ClickHouse', where, oneLine(result.error.message), { cause: result.error });
  } finally {
    clearTimeout(timer);
  }
}

async function openEmbedded(
  dataDir: string,
  migrationsDir: string,
  target: StoreTarget,
  spoolDir: string,
): Promise<Store> {
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
    log: SILENT,
  });
  const inserter = embeddedInserter(connection.chdb, join(dataDir, BLOCK_FILE_DIR), dataDir);
  return makeStore(client, inserter, target, spoolDir, migrationsDir, dataDir, () => Promise.resolve());
}

function makeStore(
  client: ClickHouseClient,
  insertObservations: ObservationInserter,
  target: StoreTarget,
  spoolDir: string,
  migrationsDir: string,
  description: string,
  checkReachable: () => Promise<void>,
): Store {
  let closed = false;
  return {
    client,
    target,
    spoolDir,
    description,
    insertObservations,
    checkReachable,
    async migrate() {
      await checkReachable();
      try {
        return await runMigrations(client, migrationsDir);
      } catch (err) {
        throw storeFailure(err, description);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
