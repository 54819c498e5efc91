/**
 * Where the store lives: an embedded chDB data directory (the default) or a
 * ClickHouse server over HTTP. Resolved from options first, then environment.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export const DEFAULT_DATA_DIR = './stripscan-data';
export const DEFAULT_HTTP_SPOOL_DIR = './stripscan-spool';

export type StoreTarget =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'server'; url: string; username: string; password: string; database: string; display: string };

export interface StoreLocation {
  dataDir?: string | undefined;
  url?: string | undefined;
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
