/**
 * A Redis connection for a one-shot command: connecting and every command are
 * bounded by the service timeout, and a Redis that cannot be reached within
 * it is an UnavailableError (exit 3) naming where and why, never a hang.
 */
import { Redis } from 'ioredis';
import { StripscanError, UnavailableError } from '../errors.js';

export async function withRedis<T>(url: string, timeoutMs: number, body: (redis: Redis) => Promise<T>): Promise<T> {
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectionName: 'stripscan-cli',
  });
  // connect() rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown;
  client.on('error', (err: unknown) => (socketError = err));
  try {
    try {
      await client.connect();
    } catch (err) {
      const code = (socketError as { code?: unknown } | undefined)?.code;
      const reason = typeof code === 'string' && code !== 'ETIMEDOUT' ? code : `no answer within ${timeoutMs} ms`;
      throw new UnavailableError('Redis', where, reason, { cause: socketError ?? err });
    }
    try {
      return await body(client);
    } catch (err) {
      if (err instanceof StripscanError || !(err instanceof Error)) throw err;
      if (err.message === 'Command timed out' || err.message.startsWith('Connection is closed')) {
        throw new UnavailableError('Redis', where, err.message, { cause: err });
      }
      throw err;
    }
  } finally {
    client.disconnect();
  }
}
