/**
 * Watches this process's event loop: how late a short periodic timer fires.
 * Two readers: step deadlines subtract the stall it measures (a deadline
 * measures the server, not our queue), and the overload guard holds new
 * probes while the loop is late. One monitor per process; its timer is
 * unref'd and costs one wake-up every TICK_MS on a healthy loop.
 *
 * Why a timer and not perf_hooks.monitorEventLoopDelay: the histogram says
 * how late the loop has been, but a deadline needs the stall so far, up to
 * this instant, including a stall still in progress; a timer's own lateness
 * gives both with a subtraction.
 */
import { performance } from 'node:perf_hooks';
import type { StallClock } from '../probe/stall-clock.js';

const TICK_MS = 20;
/** Lateness below this is scheduling noise, not a stall (seen here: < 5 ms on an idle loop beside 8 busy loops). */
const NOISE_MS = 10;

export class LoopMonitor implements StallClock {
  private last = performance.now();
  private stalled = 0;
  private lastLate = 0;
  private timer: NodeJS.Timeout | null = null;
  private users = 0;

  /** Start ticking (reference-counted: each start needs a stop). */
  start(): void {
    if (this.users++ > 0) return;
    this.last = performance.now();
    this.lastLate = 0;
    this.timer = setInterval(this.tick, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (--this.users > 0 || this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  stalledMs(): number {
    return this.stalled + this.pendingLate();
  }

  /** How late the loop is now: the last tick's lateness, or the current one if it is already longer. */
  lagMs(): number {
    return Math.max(this.lastLate, this.pendingLate());
  }

  private pendingLate(): number {
    if (this.timer === null) return 0;
    const late = performance.now() - this.last - TICK_MS;
    return late > NOISE_MS ? late : 0;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const late = now - this.last - TICK_MS;
    this.lastLate = late > NOISE_MS ? late : 0;
    this.stalled += this.lastLate;
    this.last = now;
  };
}

let shared: LoopMonitor | null = null;

/** The process's monitor. */
export function loopMonitor(): LoopMonitor {
  shared ??= new LoopMonitor();
  return shared;
}
