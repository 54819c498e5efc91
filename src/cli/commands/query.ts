/**
 * `stripscan query "SQL"` and `stripscan query --saved NAME --param k=v`;
 * `--list` shows the saved analyst queries (queries/*.sql).
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

const FORMATS = ['table', 'json', 'csv', 'tsv'] as const;
type OutputFormat = (typeof FORMATS)[number];

function parseFormat(value: string): OutputFormat {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format ${JSON.stringify(value)}: expected ${FORMATS.join(', ')}`);
  }
  return value as OutputFormat;
}

interface QueryOpts extends StoreFlags {
  list?: boolean;
  saved?: string;
  param: string[];
  format: OutputFormat;
}

export function register(program: Command): void {
  addStoreFlags(
    program
      .command('query [sql]')
      .description('run SQL, or a saved analyst query, against the store')
      .option('--list', 'list the saved queries')
      .option('--saved <name>', 'run a saved query')
      .option('--param <key=value>', 'query parameter, repeatable', (v: string, acc: string[]) => [...acc, v], [])
      .option('--format <format>', FORMATS.join(' | '), parseFormat, 'table'),
  ).action(async (sql: string | undefined, opts: QueryOpts) => {
    const { listSavedQueries, findSavedQuery, parseParams } = await import('../../store/saved-queries.js');
    if (opts.list) {
      for (const q of listSavedQueries()) {
        const params = q.params.map((p) => ` --param ${p}=…`).join('');
        process.stdout.write(`${q.name}${params}\n    ${q.description}\n`);
      }
      return;
    }
    if ((sql === undefined) === (opts.saved === undefined)) {
      throw new UsageError('query: give either SQL or --saved NAME (see --list)');
    }
    const saved = opts.saved === undefined ? undefined : findSavedQuery(opts.saved);
    const params = parseParams(opts.param, saved?.params);
    const { withStore } = await import('../../store/index.js');
    const { renderTable } = await import('../../store/render-table.js');
    await withStore(storeOptionsFrom(opts), async (store) => {
      const query = saved?.sql ?? (sql ?? '').trim().replace(/;$/, '');
      if (opts.format === 'table' || opts.format === 'json') {
        const rows = await (
          await store.client.query({ query, format: 'JSONEachRow', query_params: params })
        ).json<Record<string, unknown>>();
        process.stdout.write(
          opts.format === 'json'
            ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '')
            : renderTable(rows),
        );
      } else {
        const format = opts.format === 'csv' ? 'CSVWithNames' : 'TabSeparatedWithNames';
        process.stdout.write(await (await store.client.query({ query, format, query_params: params })).text());
      }
    });
  });
}
