/**
 * How many scan processes a scan uses (scan-parts.ts runs them). Kept apart
 * from scan-parts.ts so that choosing does not load the process machinery.
 */

/** Fewer addresses than this per process and the extra process costs more to start (~0.1 s) than it saves. */
export const MIN_ADDRESSES_PER_PROCESS = 256;

/** How many processes a scan of `addresses` should use when `procs` are asked for: at least one, at most one per probe slot. */
export function processesFor(procs: number, addresses: number, concurrency: number): number {
  return Math.max(1, Math.min(procs, Math.floor(addresses / MIN_ADDRESSES_PER_PROCESS), concurrency));
}
