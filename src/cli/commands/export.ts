/** `stripscan export --campaign NAME --format parquet|jsonl|csv FILE`. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

const FORMATS = { parquet: 'Parquet', jsonl: 'JSONEachRow', csv: 'CSVWithNames' } as const;
type ExportFormat = keyof typeof FORMATS;

function parseFormat(value: string): ExportFormat {
  if (!(value in FORMATS)) throw new UsageError(`--format ${JSON.stringify(value)}: expected parquet, jsonl or csv`);
  return value as ExportFormat;
}

export function register(program: Command): void {
  addStoreFlags(
    program
      .command('export <file>')
      .description("write one campaign's observations (with ASN enrichment) to a file")
      .requiredOption('--campaign <name>', 'campaign to export')
      .option('--format <format>', 'parquet | jsonl | csv', parseFormat, 'jsonl'),
  ).action(async (file: string, opts: StoreFlags & { campaign: string; format: ExportFormat }) => {
    const { createWriteStream } = await import('node:fs');
    const { pipeline } = await import('node:stream/promises');
    const { withStore } = await import('../../store/index.js');
    const { RECORD_COLUMNS } = await import('../../store/record-select.js');
    await withStore(storeOptionsFrom(opts), async (store) => {
      const result = await store.client.exec({
        query: `SELECT ${RECORD_COLUMNS}, asn, country, asn_dataset FROM observations
                WHERE campaign = {campaign:String} ORDER BY observations.ip, port, observations.ts
                FORMAT ${FORMATS[opts.format]}`,
        query_params: { campaign: opts.campaign },
      });
      await pipeline(result.stream, createWriteStream(file));
    });
  });
}
