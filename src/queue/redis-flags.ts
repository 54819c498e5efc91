/** The --redis / --prefix flags of every subcommand that talks to a deployment's Redis. */
import type { Command } from 'commander';

export interface RedisFlags {
  redis?: string;
  prefix: string;
}

export function addRedisFlags(cmd: Command): Command {
  return cmd
    .option(
      '--redis <url>',
      'Redis holding the queues and results (env STRIPSCAN_REDIS_URL; default redis://127.0.0.1:6379)',
    )
    .option('--prefix <name>', 'key prefix isolating this deployment in Redis', 'stripscan');
}
