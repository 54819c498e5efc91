/** `stripscan writer`: move results from the Redis stream into the store (the one process that owns it). */
import type { Command } from 'commander';
import { parseIntInRange } from '../options.js';
import { runUntilSignal } from './worker.js';

interface WriterFlags {
  redis?: string;
  prefix: string;
  dataDir?: string;
  clickhouse?: string;
  claimIdle: number;
  metricsPort?: number;
  metricsHost: string;
  shutdownGrace: number;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('writer')
    .description('Store the results of distributed campaigns: read the Redis stream, insert, acknowledge.')
    .option('--redis <url>', 'Redis holding the result stream (env STRIPSCAN_REDIS_URL)')
    .option('--prefix <name>', 'key prefix of the deployment', 'stripscan')
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (env STRIPSCAN_DATA; default ./stripscan-data)')
    .option('--clickhouse <url>', 'a ClickHouse server instead of the embedded store (env STRIPSCAN_CLICKHOUSE_URL)')
    .option(
      '--claim-idle <ms>',
      "take over another writer's unacknowledged entries after this long",
      parseIntInRange('--claim-idle', 100, 86_400_000),
      60_000,
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on this port (0: any free port)',
      parseIntInRange('--metrics-port', 0, 65535),
    )
    .option('--metrics-host <host>', 'address the metrics endpoint binds', '127.0.0.1')
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
      const store = await openStore({ dataDir: flags.dataDir, url: flags.clickhouse });
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
