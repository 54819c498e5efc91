/**
 * `stripscan query "SQL"` and `stripscan query --saved NAME --param k=v`;
 * `--list` shows the saved analyst queries (queries/*.sql). Read-only unless
 * `--write`; one statement; never migrates (src/store/analyst-query.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { QUERY_FORMATS, type QueryFormat } from '../../store/analyst-query.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';

function parseFormat(value: string): QueryFormat {
  const found = QUERY_FORMATS.find((f) => f === value);
  if (found === undefined)
    throw new UsageError(`--format ${JSON.stringify(value)}: expected ${QUERY_FORMATS.join(', ')}`);
  return found;
}

interface QueryOpts extends StoreFlags {
  list?: boolean;
  saved?: string;
  param: string[];
  format: QueryFormat;
  write?: boolean;
}

export function register(program: Command): void {
  addStoreFlags(
    program
      .command('query [sql]')
      .description('run one SQL statement, or a saved analyst query, against the store (read-only unless --write)')
      .option('--list', 'list the saved queries')
      .option('--saved <name>', 'run a saved query')
      .option('--param <key=value>', 'query parameter, repeatable', (v: string, acc: string[]) => [...acc, v], [])
      .option('--format <format>', QUERY_FORMATS.join(' | '), parseFormat, 'table')
      .option('--write', 'allow statements that change the store (INSERT, ALTER, DROP, …)'),
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
    const query = { sql: saved?.sql ?? sql ?? '', params, write: opts.write === true, format: opts.format };
    const { assertOneStatement, assertStoreExists, runAnalystQuery } = await import('../../store/analyst-query.js');
    const { withStore } = await import('../../store/index.js');
    const { writeAll } = await import('../write-out.js');
    assertOneStatement(query.sql);
    const location = storeOptionsFrom(opts);
    assertStoreExists(location);
    // A read: reachable within the service timeout, never migrated.
    await withStore(
      location,
      async (store) => {
        await store.checkReachable();
        const output = await runAnalystQuery(store, query, (line) =>
          process.stderr.write(`stripscan: warning: ${line}\n`),
        );
        await writeAll(process.stdout, output);
      },
      { migrate: false },
    );
  });
}
