/**
 * One batch into its table, the same way whether it comes fresh from a writer
 * or from a spool file: observations through the store's inserter (Native
 * blocks, or TabSeparated lines from an old spool file) with the batch's
 * dedup token; job_stats and campaigns rows as
 * JSONEachRow, with no token (an empty token turns token dedup off): those
 * tables are ReplacingMergeTree and every row carries its own version time,
 * so a row inserted twice is still one row, and an old row replayed late
 * never hides a newer one.
 */
import type { Store } from './open-store.js';
import type { Spoolable } from './spool.js';

export const PLAIN_INSERT = { async_insert: 0, insert_deduplication_token: '' } as const;

export async function insertBatch(
  store: Pick<Store, 'client' | 'insertObservations'>,
  batch: Spoolable,
): Promise<void> {
  if (batch.table === 'observations') {
    await store.insertObservations(batch.body, batch.token, batch.format);
    return;
  }
  const values = batch.body
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  if (values.length === 0) return;
  await store.client.insert({ table: batch.table, values, format: 'JSONEachRow', clickhouse_settings: PLAIN_INSERT });
}

/** Rows of a JSONEachRow table as a spoolable batch. */
export function jsonRowsBatch(table: 'job_stats' | 'campaigns', rows: object[]): Spoolable {
  return {
    table,
    format: 'JSONEachRow',
    token: '',
    body: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')),
    rows: rows.length,
  };
}
