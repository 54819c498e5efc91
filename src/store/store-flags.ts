/** The --data-dir / --clickhouse flags shared by the store's subcommands. */
import type { Command } from 'commander';
import type { OpenStoreOptions } from './open-store.js';

export function addStoreFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'embedded store directory (default ./stripscan-data, env STRIPSCAN_DATA)')
    .option('--clickhouse <url>', 'ClickHouse server URL http://user:pass@host:8123/db (env STRIPSCAN_CLICKHOUSE_URL)');
}

export function storeOptionsFrom(opts: { dataDir?: string; clickhouse?: string }): OpenStoreOptions {
  return { dataDir: opts.dataDir, url: opts.clickhouse };
}
