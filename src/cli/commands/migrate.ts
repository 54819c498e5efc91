/** `stripscan migrate`: apply pending migrations to the store. */
import type { Command } from 'commander';
import { addStoreFlags, storeOptionsFrom } from '../../store/store-flags.js';

export function register(program: Command): void {
  addStoreFlags(program.command('migrate').description('apply pending schema migrations to the store')).action(
    async (opts: { dataDir?: string; clickhouse?: string }) => {
      const { openStore } = await import('../../store/index.js');
      const store = await openStore(storeOptionsFrom(opts));
      try {
        const { applied } = await store.migrate();
        process.stdout.write(
          applied.length === 0
            ? `${store.description}: up to date\n`
            : `${store.description}: applied ${applied.join(', ')}\n`,
        );
      } finally {
        await store.close();
      }
    },
  );
}
