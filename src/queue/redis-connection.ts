/**
 * Redis connections for queue code. maxRetriesPerRequest: null is what
 * BullMQ workers require, and it is also what lets a worker ride out a Redis
 * restart: commands wait for the reconnect instead of failing the chunk.
 */
import { Redis } from 'ioredis';
import { UsageError } from '../errors.js';

export interface RedisLocation {
  redis?: string | undefined;
}

export function resolveRedisUrl(flags: RedisLocation, env: NodeJS.ProcessEnv = process.env): string {
  const raw = flags.redis ?? env.STRIPSCAN_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--redis ${JSON.stringify(raw)}: expected a URL such as redis://127.0.0.1:6379/0`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`--redis ${JSON.stringify(raw)}: expected a redis:// or rediss:// URL`);
  }
  return raw;
}

export function connectRedis(url: string, name: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    // Back off up to 2 s between attempts, forever: Redis restarts are survivable.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  // Reconnects are logged by their effect (commands wait); an unhandled
  // 'error' event would crash the process on the first ECONNREFUSED.
  client.on('error', () => undefined);
  return client;
}

/** A name the user gave, checked before it becomes part of a Redis key. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(prefix)) {
    throw new UsageError(`--prefix ${JSON.stringify(prefix)}: expected letters, digits, '.', '_' or '-' (no ':')`);
  }
  return prefix;
}
