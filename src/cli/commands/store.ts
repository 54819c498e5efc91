/** `stripscan store replay`: load spooled batches into the store (deduplicated). */
import type { Command } from 'commander';
import { addStoreFlags, storeOptionsFrom } from '../../store/store-flags.js';

export function register(program: Command): void {
  const store = program.command('store').description('store maintenance');
  addStoreFlags(
    store
      .command('replay')
      .description('insert batches spooled during a store outage, then delete them; replays are deduplicated')
      .option('--spool-dir <dir>', 'spool folder (default <data-dir>/spool, or ./stripscan-spool with --clickhouse)'),
  ).action(async (opts: { dataDir?: string; clickhouse?: string; spoolDir?: string }) => {
    const { openStore, replaySpool } = await import('../../store/index.js');
    const s = await openStore(storeOptionsFrom(opts));
    try {
      await s.migrate();
      const r = await replaySpool(s, opts.spoolDir ?? s.spoolDir);
      process.stdout.write(`replayed ${r.files} spooled batches, ${r.rows} rows, into ${s.description}\n`);
    } finally {
      await s.close();
    }
  });
}
