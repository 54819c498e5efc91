/**
 * The campaign-wide rate limit: a token bucket in Redis shared by every
 * worker, behind the chunk runner's Pacer interface.
 *
 * A worker fetches tokens in small batches (about 10 ms of the campaign's
 * rate) so that it does not pay one round trip per connection. Tokens never
 * outlive a batch by much: the bucket holds at most `burst` tokens (50 ms of
 * rate), and a worker holds at most one batch. Over any window W the number
 * of connections is therefore at most rate·W + burst + workers·batch, and
 * tokens left unused when a chunk ends are simply lost (never over the rate).
 */
import type { Redis } from 'ioredis';
import { waitInLine, type Pacer } from '../scan/pacer.js';
import { TAKE_TOKENS } from './scripts.js';

export interface RedisPacerOptions {
  redis: Redis;
  bucketKey: string;
  ratePerSecond: number;
}

export function tokenBatchFor(rate: number): number {
  return Math.max(1, Math.min(64, Math.floor(rate / 100)));
}

export function bucketBurstFor(rate: number): number {
  return Math.max(tokenBatchFor(rate), Math.ceil(rate / 20));
}

export class RedisPacer implements Pacer {
  private local = 0;
  private readonly waiters: (() => void)[] = [];
  private fetching = false;
  private readonly batch: number;
  private readonly burst: number;

  constructor(private readonly opts: RedisPacerOptions) {
    if (!(opts.ratePerSecond > 0) || !Number.isFinite(opts.ratePerSecond)) {
      throw new RangeError(`Expected ratePerSecond to be a positive number, got ${opts.ratePerSecond}`);
    }
    this.batch = tokenBatchFor(opts.ratePerSecond);
    this.burst = bucketBurstFor(opts.ratePerSecond);
  }

  /** One pacer serves every chunk of a campaign in this process; each take brings its own chunk's signal. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.waiters.length === 0 && this.local > 0) {
      this.local--;
      return Promise.resolve();
    }
    const waiting = waitInLine(this.waiters, signal);
    void this.fetch();
    return waiting;
  }

  private async fetch(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      while (this.waiters.length > 0) {
        const want = Math.min(this.batch, this.waiters.length);
        const reply = (await this.opts.redis.eval(
          TAKE_TOKENS,
          1,
          this.opts.bucketKey,
          String(this.opts.ratePerSecond),
          String(this.burst),
          String(want),
        )) as [number, number];
        const [granted, waitMs] = reply;
        this.local += granted;
        while (this.local > 0 && this.waiters.length > 0) {
          this.local--;
          this.waiters.shift()?.();
        }
        if (granted === 0) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(waitMs, 1_000))));
      }
    } catch {
      // Redis unreachable: retry shortly; ioredis queues commands until it is back.
      await new Promise((r) => setTimeout(r, 200));
      this.fetching = false;
      if (this.waiters.length > 0) void this.fetch();
      return;
    }
    this.fetching = false;
  }
}
