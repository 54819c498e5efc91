/** `stripscan asn load FILE`: load an IP-to-ASN data set used to enrich new rows. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

function parseFormat(value: string): 'ip2asn' | 'pfx2as' {
  if (value !== 'ip2asn' && value !== 'pfx2as') {
    throw new UsageError(`--format ${JSON.stringify(value)}: expected ip2asn or pfx2as`);
  }
  return value;
}

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--date ${JSON.stringify(value)}: expected YYYY-MM-DD`);
  }
  return value;
}

export function register(program: Command): void {
  const asn = program.command('asn').description('IP-to-ASN enrichment data');
  addStoreFlags(
    asn
      .command('load <file>')
      .description("load iptoasn's ip2asn-v4.tsv or CAIDA's pfx2as; rows inserted afterwards get asn and country")
      .option('--format <format>', 'ip2asn | pfx2as', parseFormat, 'ip2asn')
      .option('--name <name>', 'data set name kept with each row (default: the file name)')
      .option('--date <YYYY-MM-DD>', "the data set's date (default: today)", parseDate),
  ).action(async (file: string, opts: StoreFlags & { format: 'ip2asn' | 'pfx2as'; name?: string; date?: string }) => {
    const { withStore } = await import('../../store/index.js');
    const { loadAsnDataset } = await import('../../store/asn-load.js');
    await withStore(storeOptionsFrom(opts), async (store) => {
      const r = await loadAsnDataset(store, { file, format: opts.format, name: opts.name, date: opts.date });
      process.stdout.write(`loaded ${r.prefixes} prefixes as ${r.dataset}\n`);
    });
  });
}
