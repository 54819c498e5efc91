/**
 * Pacing of new connections. The chunk runner takes one token per connection
 * attempt; a local scan uses the in-process TokenBucket, a distributed
 * campaign a Redis-backed limiter shared by every worker (src/queue/).
 */
export interface Pacer {
  /** Resolves when one more connection may start. */
  take(): Promise<void>;
}

/** No pacing: `--rate 0`. */
export const UNPACED: Pacer = { take: () => Promise.resolve() };

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

  take(): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
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
