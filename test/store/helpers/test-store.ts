/**
 * Stores for tests. Embedded: a fresh temp data dir per test (chDB allows one
 * open data dir per process, but a closed one can be swapped for another, and
 * tests in one file run one after the other). With STRIPSCAN_TEST_CLICKHOUSE_URL
 * set, the same tests also run against that server, in a fresh database each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { openStore, type OpenStoreOptions, type Store } from '../../../src/store/index.js';

export interface StoreKind {
  name: string;
  open(extra?: Partial<OpenStoreOptions>): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

const embedded: StoreKind = {
  name: 'embedded',
  async open(extra = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-store-test-'));
    const store = await openStore({ ...extra, dataDir });
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function server(base: string): StoreKind {
  return {
    name: 'server',
    async open(extra = {}) {
      const database = `stripscan_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      const admin = createClient({ url: base });
      await admin.command({ query: `CREATE DATABASE ${database}` });
      const url = new URL(base);
      url.pathname = `/${database}`;
      const store = await openStore({ ...extra, url: url.href });
      return {
        store,
        async cleanup() {
          await store.close();
          await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
          await admin.close();
        },
      };
    },
  };
}

export const STORE_KINDS: StoreKind[] = process.env.STRIPSCAN_TEST_CLICKHOUSE_URL
  ? [embedded, server(process.env.STRIPSCAN_TEST_CLICKHOUSE_URL)]
  : [embedded];

export async function rows<T>(store: Store, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await store.client.query({ query, format: 'JSONEachRow', query_params: params })).json<T>();
}

export async function count(store: Store, query: string, params: Record<string, unknown> = {}): Promise<number> {
  const r = await rows<{ n: number }>(store, query, params);
  return Number(r[0]?.n);
}
