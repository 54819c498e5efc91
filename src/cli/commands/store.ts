/**
 * `stripscan store replay`: load the rows spooled during a store outage.
 * `stripscan store dead-letters`: the stream entries the writer set aside.
 */
import type { Command } from 'commander';
import { StoreError, UsageError } from '../../errors.js';
import { addRedisFlags, type RedisFlags } from '../../queue/redis-flags.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';
import { parseIntInRange } from '../options.js';
import { serviceTimeoutFrom } from '../service-timeout.js';

interface DeadLetterFlags extends RedisFlags {
  replay?: boolean;
  id: string[];
  limit: number;
  json?: boolean;
  serviceTimeout?: number;
}

export function register(program: Command): void {
  const store = program.command('store').description('store maintenance');
  addStoreFlags(
    store
      .command('replay')
      .description(
        'insert the rows spooled while the store was away, then delete their files; replays are deduplicated',
      ),
  ).action(async (opts: StoreFlags) => {
    const { withStore, replaySpool } = await import('../../store/index.js');
    await withStore(storeOptionsFrom(opts), async (s) => {
      const r = await replaySpool(s, s.spoolDir);
      process.stdout.write(
        `replayed ${r.files} spooled batch${r.files === 1 ? '' : 'es'}, ${r.rows} rows, from ${s.spoolDir} into ${s.description}\n`,
      );
      for (const skipped of r.skipped) process.stderr.write(`skipped ${skipped.file}: ${skipped.reason}\n`);
      if (r.stoppedBy !== null) {
        process.stderr.write(`${r.waiting} spooled batch${r.waiting === 1 ? '' : 'es'} still wait in ${s.spoolDir}\n`);
        throw r.stoppedBy;
      }
      if (r.skipped.length > 0) {
        throw new StoreError(
          'E_SPOOL_SKIPPED',
          `${r.skipped.length} spool file${r.skipped.length === 1 ? '' : 's'} could not be loaded and stay in ${s.spoolDir} (reasons above)`,
        );
      }
    });
  });

  const deadLetters = addRedisFlags(
    store
      .command('dead-letters')
      .description('list the result entries the writer set aside (invalid, or refused by ClickHouse), or re-queue them')
      .option('--replay', 'put them back on the result stream for the writer (after fixing what refused them)')
      .option('--id <id>', 'only this dead letter (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
      .option('--limit <n>', 'at most this many', parseIntInRange('--limit', 1, 1_000_000), 1000)
      .option('--json', 'one JSON object per line'),
  );
  deadLetters.action(async (flags: DeadLetterFlags) => {
    const { resolveRedisUrl, checkPrefix } = await import('../../queue/redis-connection.js');
    const { withRedis } = await import('../../queue/redis-once.js');
    const { listDeadLetters, requeueDeadLetters } = await import('../../queue/writer/dead-letters.js');
    const prefix = checkPrefix(flags.prefix);
    await withRedis(resolveRedisUrl(flags), serviceTimeoutFrom(flags), async (redis) => {
      const all = await listDeadLetters(redis, prefix, flags.limit);
      const chosen = flags.id.length === 0 ? all : all.filter((d) => flags.id.includes(d.id));
      const missing = flags.id.filter((id) => !all.some((d) => d.id === id));
      if (missing.length > 0) {
        throw new UsageError(
          `--id ${JSON.stringify(missing[0])}: no such dead letter (among the first ${flags.limit})`,
        );
      }
      for (const d of chosen) {
        const f = Object.fromEntries(d.fields);
        if (flags.json === true) {
          // The bulky fields (a chunk's records, its statistics, a spec) are given by size only.
          const { records, stats, spec, ...rest } = f;
          const omitted = { records: records?.length, stats: stats?.length, spec: spec?.length };
          const line = { id: d.id, reason: d.reason, source_id: d.sourceId, deliveries: d.deliveries, at: d.at };
          process.stdout.write(`${JSON.stringify({ ...line, fields: rest, omitted_chars: omitted })}\n`);
        } else {
          const what = [f.kind ?? '(no kind)', f.campaign, f.job].filter((x) => x !== undefined).join(' ');
          process.stdout.write(`${d.id}  ${what}  deliveries ${d.deliveries}  at ${d.at}\n    ${d.reason}\n`);
        }
      }
      if (flags.replay === true) {
        const moved = await requeueDeadLetters(redis, prefix, chosen);
        process.stderr.write(`re-queued ${moved} dead letter${moved === 1 ? '' : 's'} onto the result stream\n`);
      } else if (flags.json !== true) {
        process.stderr.write(`${chosen.length} dead letter${chosen.length === 1 ? '' : 's'}\n`);
      }
    });
  });
}
