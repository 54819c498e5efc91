/** `stripscan migrate`: apply pending migrations to the store. */
import type { Command } from 'commander';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

export function register(program: Command): void {
  addStoreFlags(program.command('migrate').description('apply pending schema migrations to the store')).action(
    async (opts: StoreFlags) => {
      const { withStore } = await import('../../store/index.js');
      await withStore(
        storeOptionsFrom(opts),
        async (store) => {
          const { applied } = await store.migrate();
          process.stdout.write(
            applied.length === 0
              ? `${store.description}: up to date\n`
              : `${store.description}: applied ${applied.join(', ')}\n`,
          );
        },
        { migrate: false },
      );
    },
  );
}
