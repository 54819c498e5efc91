/**
 * How a long-running process (worker, writer) tells its operator that a
 * service it needs went away: one log line when the outage starts ("waiting
 * for Redis at HOST:PORT (ECONNREFUSED)"), one when it ends ("Redis at … is
 * back"), and two Prometheus series that alerting can use:
 * `stripscan_dependency_up{service}` (0/1) and
 * `stripscan_dependency_outages_total{service}`. Between the two lines the
 * process keeps retrying with backoff (the connection's retry strategy); it
 * never logs once per attempt.
 */
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { dependencyMetrics } from './dependency-metrics.js';
import { failureReason } from './redis-connection.js';

export interface HealthWatch {
  /** True while the watched connection is ready. */
  readonly up: boolean;
}

/** Follow one connection's events; `where` is `host:port` for the log lines. */
export function watchRedisHealth(
  client: Redis,
  where: string,
  registry: Registry,
  log: (line: string) => void,
): HealthWatch {
  const { up, outages } = dependencyMetrics(registry);
  const service = { service: 'redis' };
  up.set(service, client.status === 'ready' ? 1 : 0);
  outages.inc(service, 0);
  let ready = client.status === 'ready';
  let outageSince: number | null = null;
  client.on('ready', () => {
    ready = true;
    up.set(service, 1);
    if (outageSince !== null) {
      log(`Redis at ${where} is back after ${((Date.now() - outageSince) / 1000).toFixed(1)} s`);
      outageSince = null;
    }
  });
  client.on('close', () => {
    ready = false;
    up.set(service, 0);
  });
  // A close followed by a prompt reconnect is not an outage; a failed attempt is.
  client.on('error', (err: unknown) => {
    ready = false;
    up.set(service, 0);
    if (outageSince !== null) return;
    outageSince = Date.now();
    outages.inc(service);
    log(`waiting for Redis at ${where} (${failureReason(err, 'connect timed out')})`);
  });
  return {
    get up() {
      return ready;
    },
  };
}

/**
 * A value read from Redis for a metrics scrape: NaN at once while Redis is
 * away (commands would wait for the reconnect and hang the scrape), and NaN
 * after `timeoutMs` if Redis is slow.
 */
export async function readWhileUp(
  health: HealthWatch,
  timeoutMs: number,
  read: () => Promise<number>,
): Promise<number> {
  if (!health.up) return NaN;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(NaN), timeoutMs)));
  try {
    return await Promise.race([read().catch(() => NaN), late]);
  } finally {
    clearTimeout(timer);
  }
}
