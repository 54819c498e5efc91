/**
 * How long our own process could not run. A step deadline measures the
 * server, so it subtracts the time the event loop was stalled (by our own
 * backlog or by a starved CPU): otherwise a busy scanner would record its own
 * slowness as servers that never answered. src/scan/loop-monitor.ts measures
 * it; the driver only reads it.
 */
export interface StallClock {
  /** Milliseconds of event-loop stall accumulated so far: monotonic, comparable between two calls. */
  stalledMs(): number;
}

/** No compensation: the wall clock alone (a probe driven outside the chunk runner). */
export const NO_STALLS: StallClock = { stalledMs: () => 0 };
