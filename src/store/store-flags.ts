/** The store flags of every subcommand that opens the store: where it is, how long to wait for it, where it spools. */
import type { Command } from 'commander';
import { parseServiceTimeout, serviceTimeoutFrom } from '../cli/service-timeout.js';
import type { OpenStoreOptions } from './open-store.js';

export interface StoreFlags {
  dataDir?: string;
  clickhouse?: string;
  spoolDir?: string;
  serviceTimeout?: number;
}

export function addStoreFlags(cmd: Command): Command {
  cmd
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (env STRIPSCAN_DATA; default ./stripscan-data)')
    .option(
      '--clickhouse <url>',
      'a ClickHouse server instead of the embedded store, http://user:pass@host:8123/db (env STRIPSCAN_CLICKHOUSE_URL)',
    )
    .option(
      '--spool-dir <dir>',
      'where rows wait while the store cannot take them (env STRIPSCAN_SPOOL_DIR; default <data-dir>/spool, or ~/.local/state/stripscan/spool/<host>_<port>_<db> with --clickhouse)',
    );
  // The writer also takes Redis's flags, which carry the same setting: one flag serves both services.
  if (!cmd.options.some((o) => o.long === '--service-timeout')) {
    cmd.option(
      '--service-timeout <ms>',
      'how long to wait for ClickHouse before giving up with exit 3; the writer waits for ever and says so (env STRIPSCAN_SERVICE_TIMEOUT; default 5000)',
      parseServiceTimeout,
    );
  }
  return cmd;
}

export function storeOptionsFrom(opts: StoreFlags): OpenStoreOptions {
  return {
    dataDir: opts.dataDir,
    url: opts.clickhouse,
    spoolDir: opts.spoolDir,
    serviceTimeoutMs: serviceTimeoutFrom(opts),
  };
}
