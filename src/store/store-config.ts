/**
 * Where the store lives: an embedded chDB data directory (the default) or a
 * ClickHouse server over HTTP. Resolved from options first, then environment.
 * And where its spool lives (spool.ts): always an absolute folder, so a
 * writer started from another working directory finds the same files.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export const DEFAULT_DATA_DIR = './stripscan-data';

export type StoreTarget =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'server'; url: string; username: string; password: string; database: string; display: string };

export interface StoreLocation {
  dataDir?: string | undefined;
  url?: string | undefined;
  /** The spool folder; default: spoolDirFor(target). */
  spoolDir?: string | undefined;
}

export function resolveStoreTarget(opts: StoreLocation, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  const url = opts.url ?? (opts.dataDir === undefined ? env.STRIPSCAN_CLICKHOUSE_URL : undefined);
  if (url !== undefined && url !== '') return parseServerUrl(url);
  return { kind: 'embedded', dataDir: resolve(opts.dataDir ?? env.STRIPSCAN_DATA ?? DEFAULT_DATA_DIR) };
}

/** `http(s)://user:password@host:port/database`; credentials and database are optional. */
export function parseServerUrl(raw: string): StoreTarget {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--clickhouse ${JSON.stringify(raw)}: expected a URL such as http://user:pass@host:8123/db`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--clickhouse ${JSON.stringify(raw)}: expected an http:// or https:// URL`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new UsageError(
      `--clickhouse ${JSON.stringify(raw)}: database ${JSON.stringify(database)} is not a plain identifier`,
    );
  }
  const username = decodeURIComponent(parsed.username) || 'default';
  const password = decodeURIComponent(parsed.password);
  const display = `${parsed.protocol}//${parsed.host}/${database}`;
  parsed.username = '';
  parsed.password = '';
  parsed.pathname = '/';
  return { kind: 'server', url: parsed.origin, username, password, database, display };
}

/**
 * The spool folder: `--spool-dir`, else STRIPSCAN_SPOOL_DIR, else
 * `<data dir>/spool` for the embedded store and, for a server,
 * `$XDG_STATE_HOME/stripscan/spool/<host>_<port>_<database>` (XDG_STATE_HOME
 * defaults to ~/.local/state): one folder per server, so a spool is never
 * replayed into a server it was not meant for.
 */
export function spoolDirFor(target: StoreTarget, opts: StoreLocation, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = opts.spoolDir ?? (env.STRIPSCAN_SPOOL_DIR || undefined);
  if (chosen !== undefined) return resolve(chosen);
  if (target.kind === 'embedded') return join(target.dataDir, 'spool');
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const server = new URL(target.url);
  const port = server.port || (server.protocol === 'https:' ? '443' : '80');
  const name = `${server.hostname}_${port}_${target.database}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  return resolve(state, 'stripscan', 'spool', name);
}
