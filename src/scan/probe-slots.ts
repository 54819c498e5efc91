/**
 * Probe slots shared by the chunks one process runs at once, handed out
 * oldest chunk first.
 *
 * Why: a chunk ends with a tail of slow probes (silent servers held until
 * --timeout), during which its own concurrency sits mostly idle. A worker
 * that runs `--jobs` chunks takes one chunk more than that and lets the
 * chunks share `jobs × concurrency` slots: the older chunks keep every slot
 * they can use, and the youngest probes with the slots the tails leave free.
 * Probes in flight stay within the same bound as before; only the idle tail
 * is filled. (Chunks started together also end together, so without this
 * their tails coincide and the machine idles for a timeout at every wave.)
 *
 * A chunk's own --concurrency still bounds it (the chunk runner's limit);
 * these slots bound the chunks together.
 */

interface Waiter {
  resolve(granted: boolean): void;
  signal: AbortSignal | undefined;
  /** Served or left the line: skipped when found in a line. */
  settled: boolean;
}

export class ProbeSlots {
  private inUse = 0;
  /** Waiting acquisitions per rank, in arrival order; only non-empty while every slot is in use. */
  private readonly lines = new Map<number, Waiter[]>();
  /** Waiters per signal, so that one abort listener serves every waiter of a chunk. */
  private readonly bySignal = new WeakMap<AbortSignal, Set<Waiter>>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected probe slots to be a whole number from 1 up, got ${capacity}`);
    }
  }

  /** Slots held now. */
  get used(): number {
    return this.inUse;
  }

  /**
   * Resolves true when the caller holds a slot (release() it after the probe),
   * false when `signal` aborted first (nothing to release). A lower `rank`
   * (an older chunk) is served before any higher one; equal ranks in order.
   */
  acquire(rank: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    if (this.inUse < this.capacity) {
      this.inUse++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, signal, settled: false };
      let line = this.lines.get(rank);
      if (line === undefined) this.lines.set(rank, (line = []));
      line.push(waiter);
      if (signal !== undefined) this.waitersOf(signal).add(waiter);
    });
  }

  /** Gives a slot back: to the oldest waiting chunk, or to the pool. */
  release(): void {
    const next = this.nextWaiter();
    if (next === undefined) {
      this.inUse--;
      return;
    }
    // The slot passes straight to the waiter: inUse stays as it is.
    this.settle(next, true);
  }

  private settle(waiter: Waiter, granted: boolean): void {
    waiter.settled = true;
    if (waiter.signal !== undefined) this.bySignal.get(waiter.signal)?.delete(waiter);
    waiter.resolve(granted);
  }

  private nextWaiter(): Waiter | undefined {
    for (;;) {
      let oldest: number | undefined;
      for (const rank of this.lines.keys()) if (oldest === undefined || rank < oldest) oldest = rank;
      if (oldest === undefined) return undefined;
      const line = this.lines.get(oldest) ?? [];
      let waiter = line.shift();
      while (waiter !== undefined && waiter.settled) waiter = line.shift();
      if (line.length === 0) this.lines.delete(oldest);
      if (waiter !== undefined) return waiter;
    }
  }

  private waitersOf(signal: AbortSignal): Set<Waiter> {
    let set = this.bySignal.get(signal);
    if (set === undefined) {
      const created = new Set<Waiter>();
      // One listener per signal, however many acquisitions wait on it (EventTarget warns past ten).
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of [...created]) this.settle(waiter, false);
        },
        { once: true },
      );
      this.bySignal.set(signal, created);
      set = created;
    }
    return set;
  }
}
