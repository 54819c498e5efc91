/**
 * How long a command waits for a service it needs (Redis, ClickHouse) before
 * it gives up with exit 3: `--service-timeout <ms>`, else the environment's
 * STRIPSCAN_SERVICE_TIMEOUT, else 5 s. Distinct from the probe's
 * `--connect-timeout`, which is about the hosts being scanned.
 */
import { parseIntInRange } from './options.js';

export const SERVICE_TIMEOUT_DEFAULT_MS = 5_000;

export const parseServiceTimeout = parseIntInRange('--service-timeout', 100, 600_000);

export function serviceTimeoutFrom(
  flags: { serviceTimeout?: number | undefined },
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (flags.serviceTimeout !== undefined) return flags.serviceTimeout;
  const raw = env.STRIPSCAN_SERVICE_TIMEOUT;
  if (raw === undefined || raw === '') return SERVICE_TIMEOUT_DEFAULT_MS;
  return parseIntInRange('STRIPSCAN_SERVICE_TIMEOUT', 100, 600_000)(raw);
}
