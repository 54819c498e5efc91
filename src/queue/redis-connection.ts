/**
 * Redis connections for queue code, of two kinds.
 *
 * Long-running processes (worker, writer) use `connectRedis`: ioredis with
 * `maxRetriesPerRequest: null` (what BullMQ workers require) and a retry
 * strategy that never gives up, so a Redis restart makes commands wait for the
 * reconnect instead of failing a chunk. They report outages through
 * `watchRedisHealth` (redis-health.ts).
 *
 * One-shot commands (`campaign …`) use `withRedis` (redis-once.ts).
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

/** `host:port` of a Redis URL, for messages (never the password). */
export function redisAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
}

/** A connection for a long-running process: retries for ever, backing off up to 2 s. */
export function connectRedis(url: string, name: string, connectTimeoutMs = 10_000): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    // A Redis whose address drops packets would otherwise hold each attempt for ioredis's 10 s default.
    connectTimeout: connectTimeoutMs,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  // Outages are reported by watchRedisHealth; an unhandled 'error' event
  // would crash the process on the first ECONNREFUSED.
  client.on('error', () => undefined);
  return client;
}

/** Why a connection failed, in a word a user can search for: the errno when there is one. */
export function failureReason(err: unknown, timedOut: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ETIMEDOUT') return timedOut;
  if (typeof code === 'string' && code !== '') return code;
  return err instanceof Error ? err.message : String(err);
}

/** A name the user gave, checked before it becomes part of a Redis key. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(prefix)) {
    throw new UsageError(`--prefix ${JSON.stringify(prefix)}: expected letters, digits, '.', '_' or '-' (no ':')`);
  }
  return prefix;
}
