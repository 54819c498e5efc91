/** Loads spooled batches into the store, oldest first, deleting each once inserted. */
import type { Store } from './open-store.js';
import { listSpool, readSpooled, removeSpooled } from './spool.js';

export interface ReplayResult {
  files: number;
  rows: number;
}

export async function replaySpool(store: Pick<Store, 'insertObservations'>, spoolDir: string): Promise<ReplayResult> {
  let files = 0;
  let rows = 0;
  for (const file of await listSpool(spoolDir)) {
    const batch = await readSpooled(file);
    if (batch.rows > 0) await store.insertObservations(batch.body, batch.token);
    await removeSpooled(file);
    files += 1;
    rows += batch.rows;
  }
  return { files, rows };
}
