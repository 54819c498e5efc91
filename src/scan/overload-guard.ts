/**
 * Holds new probes while our own event loop lags, so that a busy machine
 * slows the scan down instead of turning its own backlog into server
 * timeouts. Probes already in flight carry on (their deadlines give the
 * stall back); only starts wait. On a healthy loop `ready()` is a comparison
 * and an already-resolved promise.
 */
import { performance } from 'node:perf_hooks';
import type { LoopMonitor } from './loop-monitor.js';

export interface OverloadGuardOptions {
  /** Hold new probes while the loop is this late (ms). */
  holdAboveMs: number;
  /** Let them go again once it is back under this (ms). */
  resumeBelowMs: number;
}

export const DEFAULT_GUARD: OverloadGuardOptions = { holdAboveMs: 100, resumeBelowMs: 25 };

const RECHECK_MS = 20;
const READY = Promise.resolve();

export class OverloadGuard {
  private holding = false;
  private heldSince = 0;
  private heldTotal = 0;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly monitor: LoopMonitor,
    private readonly opts: OverloadGuardOptions = DEFAULT_GUARD,
  ) {}

  /** Milliseconds new probes were held back so far. */
  get heldMs(): number {
    return Math.round(this.heldTotal + (this.holding ? performance.now() - this.heldSince : 0));
  }

  /** Resolves when a new probe may start. */
  ready(): Promise<void> {
    if (!this.holding) {
      if (this.monitor.lagMs() <= this.opts.holdAboveMs) return READY;
      this.holding = true;
      this.heldSince = performance.now();
      this.schedule();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Release every waiter (the scan is ending). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.release();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.monitor.lagMs() < this.opts.resumeBelowMs) this.release();
      else this.schedule();
    }, RECHECK_MS);
  }

  private release(): void {
    if (this.holding) this.heldTotal += performance.now() - this.heldSince;
    this.holding = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
