/** `stripscan writer`: move results from the Redis stream into the store (the one process that owns it). */
import type { Command } from 'commander';
import { addRedisFlags, type RedisFlags } from '../../queue/redis-flags.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';
import { addMetricsFlags, type MetricsFlags } from '../metrics-flags.js';
import { parseIntInRange } from '../options.js';
import { runUntilSignal } from './worker.js';

interface WriterFlags extends RedisFlags, StoreFlags, MetricsFlags {
  claimIdle: number;
  shutdownGrace: number;
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('writer')
    .description('Store the results of distributed campaigns: read the Redis stream, insert, acknowledge.');
  addMetricsFlags(addStoreFlags(addRedisFlags(cmd)))
    .option(
      '--claim-idle <ms>',
      "take over another writer's unacknowledged entries after this long",
      parseIntInRange('--claim-idle', 100, 86_400_000),
      60_000,
    )
    .option(
      '--shutdown-grace <ms>',
      'on SIGTERM, longest wait for the insert in progress',
      parseIntInRange('--shutdown-grace', 100, 600_000),
      30_000,
    )
    .option('--quiet', 'no log lines')
    .action(async (flags: WriterFlags) => {
      const { openStore, createWriter } = await import('../../store/index.js');
      const { startResultWriter } = await import('../../queue/result-writer.js');
      const { resolveRedisUrl, checkPrefix } = await import('../../queue/redis-connection.js');
      const redisUrl = resolveRedisUrl(flags);
      const prefix = checkPrefix(flags.prefix);
      const store = await openStore(storeOptionsFrom(flags));
      await store.migrate();
      const recordWriter = createWriter(store);
      const log = flags.quiet === true ? () => undefined : (line: string) => process.stderr.write(`writer: ${line}\n`);
      const writer = await startResultWriter({
        redisUrl,
        prefix,
        store,
        writer: recordWriter,
        claimIdleMs: flags.claimIdle,
        ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
        metricsHost: flags.metricsHost,
        log,
      });
      process.stderr.write(
        `writer on ${store.description}${writer.metricsPort === null ? '' : `; metrics on ${flags.metricsHost}:${writer.metricsPort}`}\n`,
      );
      await runUntilSignal(
        new Promise<void>(() => undefined),
        async () => {
          await writer.close();
          await recordWriter.close();
          await store.close();
          log(`stopped after ${writer.stats.entries} entries, ${writer.stats.rows} rows`);
        },
        flags.shutdownGrace,
      );
    });
}
