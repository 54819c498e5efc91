/**
 * Room kept for the spool on its own disk. The embedded store's spool sits in
 * its data directory, so the disk that fills up and stops ClickHouse is the
 * disk the spool must write to. A writer keeps a reserve file of zeros beside
 * the spool (`.reserve`, ignored by replay). When a spool write finds the disk
 * full, the reserve is shortened by what that batch needs, and the write tried
 * again: the room goes to the spool file at once, and ClickHouse, which asks
 * for at least 1 MiB before it writes anything, still finds the disk full
 * rather than half-writing parts into it. A replay that empties the spool
 * grows the reserve back. The default holds about 60,000 typical observation
 * rows (~500 bytes each as TabSeparated).
 */
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

export const DEFAULT_SPOOL_RESERVE_BYTES = 32 * 1024 * 1024;

const RESERVE_FILE = '.reserve';
const CHUNK = Buffer.alloc(1024 * 1024);
/** Beyond the batch's bytes: the header line, and the file system's blocks. */
const SLACK_BYTES = 64 * 1024;

/** Makes sure the reserve exists at full size; false when the disk has no room for it (it is then left short). */
export async function keepSpoolReserve(dir: string, bytes: number): Promise<boolean> {
  if (bytes === 0) return false;
  const file = join(dir, RESERVE_FILE);
  const have = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (have >= bytes) return true;
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(file, 'a');
    try {
      // Real zeros, not a sparse file: the blocks must be allocated to be worth anything. No fsync:
      // the file system counts written blocks as used (delayed allocation included) before they reach the disk.
      for (let size = have; size < bytes; size += CHUNK.length) {
        await handle.write(CHUNK, 0, Math.min(CHUNK.length, bytes - size));
      }
    } finally {
      await handle.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** Gives `bytes` (plus slack) of the reserve back to the disk; false when the reserve cannot cover them. */
export async function spendSpoolReserve(dir: string, bytes: number): Promise<boolean> {
  const file = join(dir, RESERVE_FILE);
  const have = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const want = bytes + SLACK_BYTES;
  if (have < want) return false;
  await truncate(file, have - want);
  return true;
}
