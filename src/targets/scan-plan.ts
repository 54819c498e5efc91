/**
 * A scan plan: the order of one shard of a target set, fixed by a seed, and
 * its cutting into chunks.
 *
 * Positions, not addresses, are what shards and chunks divide. The cycle has
 * p-1 positions; shard i of n owns the contiguous positions
 * [⌊i(p-1)/n⌋, ⌊(i+1)(p-1)/n⌋). A chunk is a run of K positions inside a
 * shard, so it is described by five numbers whatever the campaign's size,
 * needs no state to enumerate, and costs O(K). A chunk of K positions yields
 * about K·N/(p-1) addresses (N = set size), slightly fewer than K because
 * positions whose value exceeds N are skipped.
 */
import { QueueError, UsageError } from '../errors.js';
import { cyclicGroupFor, type CyclicGroup } from './cyclic-group.js';
import { formatIpv4 } from './ipv4.js';
import { formatIpv6 } from './ipv6.js';
import { mulmod, powmod } from './modular.js';
import { canonicalSeed } from './seed.js';
import type { TargetSet } from './target-set.js';

/** A job: JSON-safe and constant-size. The caller adds the campaign id. */
export interface ChunkSpec {
  /** The canonical seed: an unsigned 64-bit integer in decimal. */
  seed: string;
  shard: number;
  shards: number;
  /** First position, counted from the start of the shard. */
  start: number;
  /** Number of positions. */
  count: number;
}

export interface PlanOptions {
  seed: bigint | number | string;
  shards: number;
  shard: number;
}

export const MAX_SHARDS = 65536;

export class ScanPlan {
  readonly seed: string;
  readonly shards: number;
  readonly shard: number;
  readonly group: CyclicGroup;
  /** Absolute cycle position where this shard starts. */
  readonly firstPosition: number;
  /** Number of cycle positions in this shard. */
  readonly positions: number;

  constructor(
    readonly set: TargetSet,
    opts: PlanOptions,
  ) {
    if (!Number.isSafeInteger(opts.shards) || opts.shards < 1 || opts.shards > MAX_SHARDS) {
      throw new UsageError(`--shards ${String(opts.shards)}: expected a whole number from 1 to ${MAX_SHARDS}`);
    }
    if (!Number.isSafeInteger(opts.shard) || opts.shard < 0 || opts.shard >= opts.shards) {
      throw new UsageError(`--shard ${String(opts.shard)}: expected a whole number from 0 to ${opts.shards - 1}`);
    }
    const seed = canonicalSeed(opts.seed);
    this.seed = seed.toString();
    this.shards = opts.shards;
    this.shard = opts.shard;
    this.group = cyclicGroupFor(set.size, seed);
    const cycle = this.group.prime - 1;
    this.firstPosition = Math.floor((opts.shard * cycle) / opts.shards);
    this.positions = Math.floor(((opts.shard + 1) * cycle) / opts.shards) - this.firstPosition;
  }

  /** Size of the whole target set (all shards). */
  get size(): number {
    return this.set.size;
  }

  /** The group element at a position of this shard: constant time (a power by squaring). */
  elementAt(position: number): number {
    const { prime, generator, offset } = this.group;
    return mulmod(offset, powmod(generator, this.firstPosition + position, prime), prime);
  }
}

export function planScan(set: TargetSet, opts: PlanOptions): ScanPlan {
  return new ScanPlan(set, opts);
}

export function* chunksOf(plan: ScanPlan, chunkSize: number): Generator<ChunkSpec> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new UsageError(`chunk size ${String(chunkSize)}: expected a whole number from 1`);
  }
  for (let start = 0; start < plan.positions; start += chunkSize) {
    yield {
      seed: plan.seed,
      shard: plan.shard,
      shards: plan.shards,
      start,
      count: Math.min(chunkSize, plan.positions - start),
    };
  }
}

/** The chunk covering the whole shard. */
export function wholeShard(plan: ScanPlan): ChunkSpec {
  return { seed: plan.seed, shard: plan.shard, shards: plan.shards, start: 0, count: plan.positions };
}

function checkChunk(plan: ScanPlan, chunk: ChunkSpec): void {
  const ok =
    chunk.seed === plan.seed &&
    chunk.shard === plan.shard &&
    chunk.shards === plan.shards &&
    Number.isSafeInteger(chunk.start) &&
    Number.isSafeInteger(chunk.count) &&
    chunk.start >= 0 &&
    chunk.count >= 0 &&
    chunk.start + chunk.count <= plan.positions;
  if (!ok) {
    throw new QueueError(
      'E_CHUNK_MISMATCH',
      `chunk ${JSON.stringify(chunk)} does not belong to the plan (seed ${plan.seed}, shard ${plan.shard}/${plan.shards}, ${plan.positions} positions)`,
    );
  }
}

/**
 * Walks the positions of one chunk and writes set indices in scan order into
 * caller-owned buffers: the hot path, free of per-address allocation.
 */
export class ChunkWalker {
  private element: number;
  private remaining: number;
  private readonly prime: number;
  private readonly limit: number;
  private readonly genHigh: number;
  private readonly genLow: number;
  private readonly inversePrime: number;

  constructor(plan: ScanPlan, chunk: ChunkSpec) {
    checkChunk(plan, chunk);
    this.element = chunk.count > 0 ? plan.elementAt(chunk.start) : 1;
    this.remaining = chunk.count;
    this.prime = plan.group.prime;
    this.limit = plan.size;
    this.genHigh = Math.floor(plan.group.generator / 65536);
    this.genLow = plan.group.generator - this.genHigh * 65536;
    this.inversePrime = 1 / this.prime;
  }

  /** Fill `out` with the next set indices; returns how many were written, 0 when the chunk is done. */
  fill(out: Float64Array): number {
    const p = this.prime;
    const n = this.limit;
    const gh = this.genHigh;
    const gl = this.genLow;
    // Multiplying by 1/p is cheaper than dividing; the quotient may be off by one either way,
    // which the two conditional corrections absorb (t < 2^51, so the error is below 1).
    const inverse = this.inversePrime;
    let x = this.element;
    let remaining = this.remaining;
    let written = 0;
    const capacity = out.length;
    while (remaining > 0 && written < capacity) {
      if (x <= n) out[written++] = x - 1;
      remaining--;
      // x·g mod p with g split in 16-bit halves (see modular.ts); inlined because this runs per address.
      let t = x * gh;
      t -= Math.floor(t * inverse) * p;
      if (t < 0) t += p;
      else if (t >= p) t -= p;
      t = t * 65536 + x * gl;
      t -= Math.floor(t * inverse) * p;
      if (t < 0) t += p;
      else if (t >= p) t -= p;
      x = t;
    }
    this.element = x;
    this.remaining = remaining;
    return written;
  }
}

const BATCH = 4096;

/** Set indices of a chunk in scan order. */
export function* indicesOf(plan: ScanPlan, chunk: ChunkSpec): Generator<number> {
  const walker = new ChunkWalker(plan, chunk);
  const batch = new Float64Array(BATCH);
  for (let n = walker.fill(batch); n > 0; n = walker.fill(batch)) {
    for (let i = 0; i < n; i++) yield batch[i] as number;
  }
}

/** Textual addresses of a chunk in scan order. */
export function* addressesOf(plan: ScanPlan, chunk: ChunkSpec): Generator<string> {
  const set = plan.set;
  const v4 = set.ipv4Count;
  for (const index of indicesOf(plan, chunk)) {
    yield index < v4 ? formatIpv4(set.ipv4At(index)) : formatIpv6(set.ipv6At(index));
  }
}

/** Textual addresses of the plan's whole shard in scan order. */
export function addressesOfPlan(plan: ScanPlan): Generator<string> {
  return addressesOf(plan, wholeShard(plan));
}
