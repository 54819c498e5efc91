/**
 * A one-shot command's use of the store: open, migrate (which checks within
 * the service timeout that a server answers), run, close. Whatever the store
 * does wrong on the way comes out as the program's error (store-errors.ts):
 * exit 3 for an outage, exit 1 with ClickHouse's own words for a refusal.
 */
import { openStore, type OpenStoreOptions, type Store } from './open-store.js';
import { storeFailure } from './store-errors.js';

export async function withStore<T>(
  opts: OpenStoreOptions,
  run: (store: Store) => Promise<T>,
  { migrate = true }: { migrate?: boolean } = {},
): Promise<T> {
  const store = await openStore(opts);
  try {
    if (migrate) await store.migrate();
    return await run(store);
  } catch (err) {
    throw storeFailure(err, store.description);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/**
 * Open and migrate for a long-running user (a scan, a domains run) that must
 * fail before its first probe when the store is broken or unreachable; the
 * store is closed again when the migration fails.
 */
export async function openMigratedStore(opts: OpenStoreOptions): Promise<Store> {
  const store = await openStore(opts);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
