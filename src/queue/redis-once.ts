/**
 * A Redis connection for a one-shot command (`campaign …`, `store …`):
 * waiting for Redis (refused connections are retried, as Redis may be
 * starting), each command, and each reconnect after a drop are all bounded
 * by the service timeout, and a Redis that cannot be reached within it is an
 * `UnavailableError` (exit 3) naming where and why, never a hang.
 * Long-running processes use connectRedis (redis-connection.ts) instead.
 */
import { Redis } from 'ioredis';
import { StripscanError, UnavailableError } from '../errors.js';
import { failureReason, redisAddress } from './redis-connection.js';

/** Run `body` with a ready connection, then close it. */
export async function withRedis<T>(url: string, timeoutMs: number, body: (redis: Redis) => Promise<T>): Promise<T> {
  const where = redisAddress(url);
  const silent = `no reply within ${timeoutMs} ms`;
  let reason = silent;
  let outageStart = Date.now();
  let everReady = false;
  const client = new Redis(url, {
    connectionName: 'stripscan-cli',
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // ioredis waits this long for a socket that never opened to "close" again: do not linger 2 s on exit.
    disconnectTimeout: 100,
    // Commands wait for a reconnect; commandTimeout and the retry deadline below bound the wait.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => {
      // retryAttempts restarts at 1 after every 'ready': a new outage, a new deadline.
      if (times === 1 && everReady) outageStart = Date.now();
      const delay = Math.min(50 * 2 ** times, 500);
      return Date.now() + delay - outageStart < timeoutMs ? delay : null;
    },
  });
  client.on('error', (err: unknown) => (reason = failureReason(err, silent)));
  client.on('ready', () => (everReady = true));
  const unavailable = (cause?: unknown) =>
    new UnavailableError('Redis', where, reason, cause === undefined ? undefined : { cause });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(unavailable()), timeoutMs);
      const settle = (ok: boolean) => () => {
        clearTimeout(timer);
        if (ok) resolve();
        else reject(unavailable());
      };
      client.once('ready', settle(true));
      client.once('end', settle(false));
      client.connect().catch(() => undefined);
    });
    return await body(client);
  } catch (err) {
    if (err instanceof StripscanError || !isConnectionFailure(err)) throw err;
    if (err instanceof Error && err.message === 'Command timed out') reason = silent;
    throw unavailable(err);
  } finally {
    client.disconnect();
  }
}

/** Errors ioredis (and BullMQ through it) raise when Redis went away, as opposed to a command Redis refused. */
function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.message === 'Command timed out' ||
    err.message.startsWith('Connection is closed') ||
    err.name === 'MaxRetriesPerRequestError' ||
    typeof (err as { syscall?: unknown }).syscall === 'string'
  );
}
