/**
 * Loads an ASN data set: replaces asn_prefixes, records the data set in
 * asn_datasets and reloads the ip_trie dictionary, so rows inserted from now
 * on get asn, country and asn_dataset. Rows already stored keep the data set
 * they were enriched with (that is what asn_dataset is for).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { parseAsnFile, type AsnFormat } from './asn-formats.js';
import type { Store } from './open-store.js';

export interface AsnLoadOptions {
  file: string;
  format: AsnFormat;
  /** Data set name kept with every enriched row; default: the file's name. */
  name?: string;
  /** YYYY-MM-DD; default: today. */
  date?: string;
}

export async function loadAsnDataset(
  store: Store,
  opts: AsnLoadOptions,
): Promise<{ prefixes: number; dataset: string }> {
  let text: string;
  try {
    text = await readFile(opts.file, 'utf8');
  } catch (cause) {
    throw new UsageError(`asn load ${JSON.stringify(opts.file)}: cannot read the file`, { cause });
  }
  const prefixes = parseAsnFile(text, opts.format, opts.file);
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  const dataset = `${opts.name ?? basename(opts.file)}@${date}`;
  await store.client.command({ query: 'TRUNCATE TABLE IF EXISTS asn_prefixes' });
  if (prefixes.length > 0) {
    await store.client.insert({
      table: 'asn_prefixes',
      values: prefixes.map((p) => ({ ...p, dataset })),
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: '' },
    });
  }
  await store.client.insert({
    table: 'asn_datasets',
    values: [
      {
        name: opts.name ?? basename(opts.file),
        date,
        format: opts.format,
        source_file: opts.file,
        prefixes: prefixes.length,
      },
    ],
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: '' },
  });
  await store.client.command({ query: 'SYSTEM RELOAD DICTIONARY asn_trie' });
  return { prefixes: prefixes.length, dataset };
}
