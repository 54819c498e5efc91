/** The --data-dir / --clickhouse flags of every subcommand that opens the store. */
import type { Command } from 'commander';
import type { OpenStoreOptions } from './open-store.js';

export interface StoreFlags {
  dataDir?: string;
  clickhouse?: string;
}

export function addStoreFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (env STRIPSCAN_DATA; default ./stripscan-data)')
    .option(
      '--clickhouse <url>',
      'a ClickHouse server instead of the embedded store, http://user:pass@host:8123/db (env STRIPSCAN_CLICKHOUSE_URL)',
    );
}

export function storeOptionsFrom(opts: StoreFlags): OpenStoreOptions {
  return { dataDir: opts.dataDir, url: opts.clickhouse };
}
