/**
 * `stripscan export --campaign NAME --format parquet|jsonl|csv FILE|-`: the
 * output's folder is checked before the store is opened, and the file is
 * created only once the campaign is known; what was written is said on stderr.
 * Like `query`, it reads without migrating.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../store/export-campaign.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

function parseFormat(value: string): ExportFormat {
  if (!(value in EXPORT_FORMATS)) {
    throw new UsageError(`--format ${JSON.stringify(value)}: expected parquet, jsonl or csv`);
  }
  return value as ExportFormat;
}

export function register(program: Command): void {
  addStoreFlags(
    program
      .command('export <file>')
      .description("write one campaign's observations (with ASN enrichment) to a file, or to stdout for -")
      .requiredOption('--campaign <name>', 'campaign to export')
      .option('--format <format>', 'parquet | jsonl | csv', parseFormat, 'jsonl'),
  ).action(async (file: string, opts: StoreFlags & { campaign: string; format: ExportFormat }) => {
    const { assertWritableFile, openOutput, outputFailure } = await import('../output-file.js');
    const { withStore } = await import('../../store/index.js');
    const { exportCampaign } = await import('../../store/export-campaign.js');
    const { assertStoreExists } = await import('../../store/analyst-query.js');
    const { readSchemaState, requireSchema } = await import('../../store/schema-state.js');
    const { writeAll } = await import('../write-out.js');
    const toStdout = file === '-';
    if (!toStdout) assertWritableFile(file);
    const location = storeOptionsFrom(opts);
    assertStoreExists(location);
    // A read: reachable within the service timeout, never migrated, so a read-only ClickHouse user can export.
    await withStore(
      location,
      async (store) => {
        await store.checkReachable();
        requireSchema(await readSchemaState(store.client), store.description, (line) =>
          process.stderr.write(`stripscan: warning: ${line}\n`),
        );
        const { rows, stream } = await exportCampaign(store, opts.campaign, opts.format);
        const output = toStdout ? null : openOutput(file);
        const end = await writeAll(output?.stream ?? process.stdout, stream).catch((err: unknown) => {
          throw outputFailure(file, err);
        });
        await output?.close();
        const where = toStdout ? 'stdout' : file;
        process.stderr.write(
          end === 'complete'
            ? `exported ${rows} rows of campaign ${opts.campaign} to ${where} (${opts.format})\n`
            : `export of campaign ${opts.campaign} stopped: the reader of stdout quit\n`,
        );
      },
      { migrate: false },
    );
  });
}
