/**
 * One synchronous, deduplicated insert of a TabSeparated batch into
 * observations. deduplicate_blocks_in_dependent_materialized_views keeps a
 * replayed batch out of the daily rollup and the latest-state table as well.
 *
 * Two transports, one contract (the Store picks one when it opens):
 * - server: @clickhouse/client exec() streams the bytes as the HTTP body;
 * - embedded: chDB's raw insert hands the Buffer to the engine without a
 *   copy. @clickhouse/client's path through chdb/connection turns the body
 *   into a string appended to the SQL text, which chDB then parses as one
 *   huge query: 5× slower for a 50,000-row batch (docs/schema.md, "Ingest").
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ChdbExtension } from 'chdb/connection';
import { OBSERVATION_COLUMNS, OBSERVATION_FORMAT } from './observation-line.js';

export type ObservationInserter = (body: Buffer, token: string) => Promise<void>;

function insertSettings(token: string) {
  return {
    async_insert: 0,
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    // Record timestamps are ISO 8601 with a Z; the raw insert does not see
    // the client's session settings, so both paths say it here.
    date_time_input_format: 'best_effort',
  } as const;
}

const INSERT_SQL = `INSERT INTO observations (${OBSERVATION_COLUMNS.join(', ')}) FORMAT ${OBSERVATION_FORMAT}`;

export function serverInserter(client: ClickHouseClient): ObservationInserter {
  return async (body, token) => {
    const result = await client.exec({
      query: INSERT_SQL,
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: insertSettings(token),
    });
    result.stream.resume();
  };
}

export function embeddedInserter(chdb: ChdbExtension): ObservationInserter {
  return async (body, token) => {
    if (body.length === 0) return;
    await chdb.rawInsert({
      table: 'observations',
      columns: OBSERVATION_COLUMNS,
      values: body,
      format: 'TabSeparated',
      settings: insertSettings(token),
    });
  };
}
