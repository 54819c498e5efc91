/**
 * `stripscan report --campaign NAME [--compare OTHER] [--series NAME…] --html FILE`: one
 * self-contained HTML file (no script, nothing fetched when opened) with the
 * campaign's results, a comparison, the series across campaigns, the
 * methodology and the campaign's parameters.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

interface ReportFlags extends StoreFlags {
  campaign: string;
  compare?: string;
  series: string[];
  html: string;
}

const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function parseCampaignName(flag: string): (value: string) => string {
  return (value: string) => {
    if (!CAMPAIGN_NAME.test(value)) {
      throw new UsageError(
        `${flag} ${JSON.stringify(value)}: expected a campaign name (letters, digits, '.', '_' or '-')`,
      );
    }
    return value;
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description('Write a self-contained HTML report of a campaign (charts, tables, methodology, parameters).')
    .requiredOption('--campaign <name>', 'the campaign to report on', parseCampaignName('--campaign'))
    .option('--compare <name>', 'a second campaign to show beside it', parseCampaignName('--compare'))
    .option(
      '--series <name>',
      'a campaign to draw in the time series (repeatable; default: the campaigns over the same target set and port)',
      (value: string, previous: string[]) => [...previous, parseCampaignName('--series')(value)],
      [] as string[],
    )
    .requiredOption('--html <file>', 'where to write the HTML report');
  addStoreFlags(cmd).action(async (flags: ReportFlags) => {
    await runReport(flags);
  });
}

async function runReport(flags: ReportFlags): Promise<void> {
  const { existsSync, statSync } = await import('node:fs');
  const { dirname, resolve } = await import('node:path');
  const htmlFile = resolve(flags.html);
  if (flags.html.trim() === '' || (existsSync(htmlFile) && statSync(htmlFile).isDirectory())) {
    throw new UsageError(`--html ${JSON.stringify(flags.html)}: expected a file name, not a directory`);
  }
  const dir = dirname(htmlFile);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--html ${JSON.stringify(flags.html)}: the directory ${JSON.stringify(dir)} does not exist`);
  }
  if (flags.compare !== undefined && flags.compare === flags.campaign) {
    throw new UsageError(`--compare ${JSON.stringify(flags.compare)}: the same campaign as --campaign`);
  }
  const { withStore } = await import('../../store/index.js');
  const { writeReport } = await import('../../report/index.js');
  // Migrating is idempotent: a fresh data directory gets the schema, so the error is "no such campaign", not a missing table.
  await withStore(storeOptionsFrom(flags), async (store) => {
    const { bytes, completeness } = await writeReport(store, {
      campaign: flags.campaign,
      compare: flags.compare,
      series: flags.series,
      htmlFile,
    });
    process.stderr.write(
      `report: wrote ${htmlFile} (${bytes.toLocaleString('en-US')} bytes); campaign ${completeness}\n`,
    );
  });
}
