/**
 * Loads spooled batches into the store, oldest first, deleting each once
 * inserted. A file that cannot be loaded for a reason of its own (damaged,
 * or refused by ClickHouse) is skipped and kept for a person to look at; the
 * files behind it still load. Only an outage (ClickHouse unreachable, its
 * disk full) stops a replay: every file behind would fail the same way, and
 * they all wait for the next replay.
 */
import type { StripscanError } from '../errors.js';
import { insertBatch } from './insert-batch.js';
import type { Store } from './open-store.js';
import { listSpool, readSpooled, removeSpooled } from './spool.js';
import { isStoreOutage, oneLine, storeFailure } from './store-errors.js';

export interface SkippedSpoolFile {
  file: string;
  reason: string;
}

export interface ReplayResult {
  /** Files loaded (and deleted). */
  files: number;
  rows: number;
  /** Files kept because they cannot be loaded. */
  skipped: SkippedSpoolFile[];
  /** Files left untried because the store went away; `stoppedBy` says how. */
  waiting: number;
  stoppedBy: StripscanError | null;
}

export async function replaySpool(
  store: Pick<Store, 'client' | 'insertObservations' | 'description'>,
  spoolDir: string,
): Promise<ReplayResult> {
  const result: ReplayResult = { files: 0, rows: 0, skipped: [], waiting: 0, stoppedBy: null };
  const files = await listSpool(spoolDir);
  for (const [i, file] of files.entries()) {
    let batch;
    try {
      batch = await readSpooled(file);
    } catch (err) {
      // Gone since the listing: another replay of the same folder loaded it.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      result.skipped.push({ file, reason: reasonOf(err) });
      continue;
    }
    try {
      await insertBatch(store, batch);
    } catch (err) {
      const failure = storeFailure(err, store.description);
      if (isStoreOutage(failure)) {
        result.stoppedBy = failure as StripscanError;
        result.waiting = files.length - i;
        break;
      }
      result.skipped.push({ file, reason: reasonOf(failure) });
      continue;
    }
    await removeSpooled(file);
    result.files += 1;
    result.rows += batch.rows;
  }
  return result;
}

function reasonOf(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}
