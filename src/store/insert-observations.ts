/**
 * One synchronous, deduplicated insert of an observation batch: Native
 * blocks (observation-block.ts), or TabSeparated lines from a spool file
 * written before them (legacy-tsv.ts). deduplicate_blocks_in_dependent_
 * materialized_views keeps a replayed batch out of the daily rollup and the
 * latest-state table as well.
 *
 * Two transports, one statement (the Store picks one when it opens):
 * - server: @clickhouse/client exec() streams the bytes as the HTTP body of
 *   `INSERT INTO observations (…) FORMAT Native`;
 * - embedded: chDB's raw insert takes text formats only (3.4), so the block
 *   goes to a file beside the data and the same INSERT reads it `FROM INFILE`:
 *   a plain insert, as over HTTP, with the same type conversions and the same
 *   deduplication. Writing the file costs far less than parsing text
 *   (docs/schema.md, "Ingest"). @clickhouse/client's own insert through
 *   chdb/connection sends the body inside the SQL text instead: 5× slower.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ChdbExtension } from 'chdb/connection';
import { StoreError } from '../errors.js';
import { tsvColumns } from './legacy-tsv.js';
import { OBSERVATION_COLUMNS } from './observation-block.js';
import { oneLine } from './store-errors.js';

export type ObservationFormat = 'Native' | 'TabSeparated';
export type ObservationInserter = (body: Buffer, token: string, format: ObservationFormat) => Promise<void>;

function insertSettings(token: string) {
  return {
    async_insert: 0,
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    // The daily rollup and the latest state are written on threads of their
    // own beside the table (2 cores: +20 % on a 50,000-row insert here) …
    parallel_view_processing: 1,
    // … and their blocks are not collapsed at insert time (+15 %): both tables
    // are read aggregated or with FINAL anyway, as their parts always need.
    optimize_on_insert: 0,
    // Legacy TabSeparated batches hold ISO 8601 times with a Z; the raw
    // insert does not see the client's session settings, so it is said here.
    date_time_input_format: 'best_effort',
  } as const;
}

function columnsOf(body: Buffer, format: ObservationFormat): readonly string[] {
  return format === 'Native' ? OBSERVATION_COLUMNS : tsvColumns(body);
}

const insertInto = (columns: readonly string[]) => `INSERT INTO observations (${columns.join(', ')})`;

export function serverInserter(client: ClickHouseClient): ObservationInserter {
  return async (body, token, format) => {
    const result = await client.exec({
      query: `${insertInto(columnsOf(body, format))} FORMAT ${format}`,
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: insertSettings(token),
    });
    result.stream.resume();
  };
}

/** A ClickHouse string literal. */
function sqlString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * `blockDir` holds one block file per insert in flight, deleted after it;
 * files left by a process that died mid-insert are deleted when the next
 * one opens the store.
 */
export function embeddedInserter(chdb: ChdbExtension, blockDir: string, where: string): ObservationInserter {
  try {
    rmSync(blockDir, { recursive: true, force: true });
    mkdirSync(blockDir, { recursive: true });
  } catch (cause) {
    throw new StoreError('E_STORE_DATA_DIR', `cannot prepare ${blockDir} for inserts`, { cause });
  }
  let files = 0;
  return async (body, token, format) => {
    if (body.length === 0) return;
    if (format === 'TabSeparated') {
      await chdb.rawInsert({
        table: 'observations',
        columns: tsvColumns(body),
        values: body,
        format,
        settings: insertSettings(token),
      });
      return;
    }
    const file = join(blockDir, `${process.pid}-${files++}.native`);
    try {
      await writeBlockFile(file, body, where);
      const settings = Object.entries(insertSettings(token))
        .map(([key, value]) => `${key} = ${typeof value === 'string' ? sqlString(value) : value}`)
        .join(', ');
      await chdb.queryAsync(
        `${insertInto(OBSERVATION_COLUMNS)} FROM INFILE ${sqlString(file)} SETTINGS ${settings} FORMAT Native`,
      );
    } finally {
      await rm(file, { force: true });
    }
  };
}

/** A full disk here is the store's disk being full: an outage, as ClickHouse's own NOT_ENOUGH_SPACE is. */
async function writeBlockFile(file: string, body: Buffer, where: string): Promise<void> {
  try {
    await writeFile(file, body);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const message = `cannot write the insert's block file ${file}: ${oneLine((cause as Error).message)}`;
    if (code === 'ENOSPC') {
      throw new StoreError('E_STORE_DISK_FULL', `ClickHouse at ${where} has no space left: ${message}`, { cause });
    }
    throw new StoreError('E_STORE_BLOCK_FILE', message, { cause });
  }
}
