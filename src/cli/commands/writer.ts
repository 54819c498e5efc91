/** `stripscan writer`: move results from the Redis stream into the store (the one process that owns it). */
import type { Command } from 'commander';
import { addRedisFlags, type RedisFlags } from '../../queue/redis-flags.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';
import { addMetricsFlags, type MetricsFlags } from '../metrics-flags.js';
import { parseIntInRange } from '../options.js';
import { serviceTimeoutFrom } from '../service-timeout.js';
import { runUntilSignal } from './worker.js';

interface WriterFlags extends RedisFlags, StoreFlags, MetricsFlags {
  claimIdle: number;
  maxDeliveries: number;
  replayInterval: number;
  mirrorInterval: number;
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
      '--max-deliveries <n>',
      'deliveries of an entry ClickHouse keeps refusing before it moves to the dead letters',
      parseIntInRange('--max-deliveries', 1, 1000),
      5,
    )
    .option(
      '--replay-interval <ms>',
      'how often to load rows spooled during a store outage',
      parseIntInRange('--replay-interval', 100, 86_400_000),
      30_000,
    )
    .option(
      '--mirror-interval <ms>',
      "how often to copy campaigns' state and progress from Redis into the store",
      parseIntInRange('--mirror-interval', 100, 86_400_000),
      10_000,
    )
    .option(
      '--shutdown-grace <ms>',
      'on SIGTERM, longest wait for the insert in progress',
      parseIntInRange('--shutdown-grace', 100, 600_000),
      30_000,
    )
    .option('--quiet', 'no log lines')
    .action(async (flags: WriterFlags) => {
      const { openStore } = await import('../../store/index.js');
      const { startResultWriter } = await import('../../queue/result-writer.js');
      const { resolveRedisUrl, checkPrefix } = await import('../../queue/redis-connection.js');
      const redisUrl = resolveRedisUrl(flags);
      const prefix = checkPrefix(flags.prefix);
      const store = await openStore(storeOptionsFrom(flags));
      const log = flags.quiet === true ? () => undefined : (line: string) => process.stderr.write(`writer: ${line}\n`);
      const writer = await startResultWriter({
        redisUrl,
        prefix,
        store,
        claimIdleMs: flags.claimIdle,
        maxDeliveries: flags.maxDeliveries,
        replayEveryMs: flags.replayInterval,
        mirrorEveryMs: flags.mirrorInterval,
        ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
        metricsHost: flags.metricsHost,
        serviceTimeoutMs: serviceTimeoutFrom(flags),
        log,
      });
      process.stderr.write(
        `writer on ${store.description}, spool ${store.spoolDir}${writer.metricsPort === null ? '' : `; metrics on ${flags.metricsHost}:${writer.metricsPort}`}\n`,
      );
      const close = async (): Promise<void> => {
        await writer.close();
        await store.close();
        log(
          `stopped after ${writer.stats.entries} entries, ${writer.stats.rows} rows, ${writer.stats.deadLetters} dead letters`,
        );
      };
      try {
        await runUntilSignal(writer.done, close, flags.shutdownGrace);
      } catch (err) {
        // The store failed for good: stop everything, then report it.
        await close();
        throw err;
      }
    });
}
