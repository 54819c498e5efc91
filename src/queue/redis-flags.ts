/** The --redis / --prefix / --service-timeout flags of every subcommand that talks to a deployment's Redis. */
import type { Command } from 'commander';
import { parseServiceTimeout } from '../cli/service-timeout.js';

export interface RedisFlags {
  redis?: string;
  prefix: string;
  serviceTimeout?: number;
}

export function addRedisFlags(cmd: Command): Command {
  cmd
    .option(
      '--redis <url>',
      'Redis holding the queues and results (env STRIPSCAN_REDIS_URL; default redis://127.0.0.1:6379)',
    )
    .option('--prefix <name>', 'key prefix isolating this deployment in Redis', 'stripscan');
  // The writer also takes the store's flags, which carry the same setting: one flag serves both services.
  if (!cmd.options.some((o) => o.long === '--service-timeout')) {
    cmd.option(
      '--service-timeout <ms>',
      'how long to wait for Redis (and ClickHouse) before giving up with exit 3; workers and writers wait for ever and say so (env STRIPSCAN_SERVICE_TIMEOUT; default 5000)',
      parseServiceTimeout,
    );
  }
  return cmd;
}
