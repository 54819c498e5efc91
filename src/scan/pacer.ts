/**
 * Pacing of new connections. The chunk runner takes one token per connection
 * attempt; a local scan uses the in-process TokenBucket, a distributed
 * campaign a Redis-backed limiter shared by every worker (src/queue/).
 */
export interface Pacer {
  /**
   * Resolves when one more connection may start — or as soon as `signal`
   * aborts, then without a token: the caller checks the signal before it
   * connects. (A cancelled campaign must not connect with tokens it was
   * already waiting for.)
   */
  take(signal?: AbortSignal): Promise<void>;
}

/** No pacing: `--rate 0`. */
export const UNPACED: Pacer = { take: () => Promise.resolve() };

/**
 * Wait in `waiters` until the pacer calls our entry (a token), or leave the
 * line when `signal` aborts. Shared by the pacers' queues of waiting takes.
 */
export function waitInLine(waiters: (() => void)[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const leave = (): void => {
      const at = waiters.indexOf(serve);
      if (at >= 0) waiters.splice(at, 1);
      resolve();
    };
    const serve = (): void => {
      if (signal !== undefined) leaversOf(signal).delete(leave);
      resolve();
    };
    waiters.push(serve);
    if (signal !== undefined) leaversOf(signal).add(leave);
  });
}

// One abort listener per signal, however many takes wait on it: a chunk has
// up to --concurrency of them, and EventTarget warns past ten listeners.
const leavers = new WeakMap<AbortSignal, Set<() => void>>();
function leaversOf(signal: AbortSignal): Set<() => void> {
  let set = leavers.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    signal.addEventListener('abort', () => created.forEach((leave) => leave()), { once: true });
    leavers.set(signal, created);
    set = created;
  }
  return set;
}

/**
 * A token bucket refilled at `ratePerSecond`, holding at most `burst` tokens.
 * The burst is small (10 ms worth by default) so that the rate holds over
 * short windows, yet large enough that timer granularity (≈1 ms) does not cap
 * high rates.
 */
export class TokenBucket implements Pacer {
  private tokens: number;
  private last: number;
  private readonly burst: number;
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ratePerSecond: number,
    burst?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`Expected ratePerSecond to be a positive number, got ${ratePerSecond}`);
    }
    this.burst = burst ?? Math.max(1, ratePerSecond / 100);
    this.tokens = 1;
    this.last = this.now();
  }

  take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const waiting = waitInLine(this.waiters, signal);
    this.schedule();
    return waiting;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.();
      }
      if (this.waiters.length > 0) this.schedule();
    }, wait);
  }
}
