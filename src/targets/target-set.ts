/**
 * The set of addresses a campaign may visit: targets merged, narrowed to an
 * allowlist, minus reserved ranges and user blocklists, each exclusion
 * counted by reason. Addresses are numbered 0..size-1 (IPv4 first, then
 * IPv6) so the permutation can work on plain indices.
 */
import { UsageError } from '../errors.js';
import { rangeSize } from './address-range.js';
import { formatIpv4 } from './ipv4.js';
import { formatIpv6 } from './ipv6.js';
import {
  bigintArithmetic,
  intersect,
  normalize,
  normalizeNumbers,
  numberArithmetic,
  subtract,
  totalCount,
  type RangeList,
} from './range-list.js';
import { RESERVED_RANGES } from './reserved.js';
import { parseTargetSpec, quoteSpec } from './target-spec.js';

/** An IPv6 target may hold at most this many addresses (a /96): larger ones cannot be enumerated. */
export const MAX_IPV6_TARGET_SIZE = 2 ** 32;
/** The permutation's arithmetic is exact for groups below 2^34; all of IPv4 plus 2^32 IPv6 addresses fit. */
export const MAX_TARGET_SET_SIZE = 2 ** 33;

const BUCKET_SIZE = 65536;

export interface Exclusion {
  /** `reserved:<cidr>`, `blocklist:<name>` or `not-in-allowlist`. */
  reason: string;
  count: number;
}

export interface NamedSpecs {
  /** Shown in exclusion reasons and errors: a file name, or "argument". */
  name: string;
  specs: readonly string[];
}

export interface TargetSetOptions {
  specs: readonly string[];
  allowReserved: boolean;
  blocklists: readonly NamedSpecs[];
  allowlist?: NamedSpecs;
}

interface FamilyLists {
  v4: RangeList<number>;
  v6: RangeList<bigint>;
}

function listsOf(specs: readonly string[], enumerable: boolean): FamilyLists {
  let singles = new Float64Array(64);
  let singleCount = 0;
  const v4Firsts: number[] = [];
  const v4Lasts: number[] = [];
  const v6Firsts: bigint[] = [];
  const v6Lasts: bigint[] = [];
  for (const spec of specs) {
    const range = parseTargetSpec(spec);
    if (range.family === 4 && range.first === range.last) {
      if (singleCount === singles.length) {
        const grown = new Float64Array(singles.length * 2);
        grown.set(singles);
        singles = grown;
      }
      singles[singleCount++] = range.first;
      continue;
    }
    if (range.family === 4) {
      v4Firsts.push(range.first);
      v4Lasts.push(range.last);
      continue;
    }
    if (enumerable && range.last - range.first >= BigInt(MAX_IPV6_TARGET_SIZE)) {
      const bits = Math.round(Math.log2(rangeSize(range)));
      throw new UsageError(
        `target ${quoteSpec(spec)}: an IPv6 range of 2^${bits} addresses is too large to enumerate ` +
          `(at most 2^32, a /96); scan IPv6 from a hitlist of addresses instead`,
      );
    }
    v6Firsts.push(range.first);
    v6Lasts.push(range.last);
  }
  return {
    v4: normalizeNumbers(singles.subarray(0, singleCount), v4Firsts, v4Lasts),
    v6: normalize(bigintArithmetic, v6Firsts, v6Lasts),
  };
}

function countLists(lists: FamilyLists): number {
  return totalCount(numberArithmetic, lists.v4) + totalCount(bigintArithmetic, lists.v6);
}

function subtractLists(a: FamilyLists, b: FamilyLists): FamilyLists {
  return { v4: subtract(numberArithmetic, a.v4, b.v4), v6: subtract(bigintArithmetic, a.v6, b.v6) };
}

function intersectLists(a: FamilyLists, b: FamilyLists): FamilyLists {
  return { v4: intersect(numberArithmetic, a.v4, b.v4), v6: intersect(bigintArithmetic, a.v6, b.v6) };
}

/** Start offsets: offsets[i] is the index of the first address of range i. */
function offsetsOf(counts: Iterable<number>, length: number): Float64Array {
  const offsets = new Float64Array(length + 1);
  let i = 0;
  for (const c of counts) {
    offsets[i + 1] = (offsets[i] ?? 0) + c;
    i++;
  }
  return offsets;
}

/** Largest i with offsets[i] <= index, for index in [0, offsets[length-1]). */
function rangeIndexOf(offsets: Float64Array, index: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] as number) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class TargetSet {
  /** Number of addresses after all exclusions. */
  readonly size: number;
  readonly ipv4Count: number;
  readonly exclusions: readonly Exclusion[];
  readonly ipv4: RangeList<number>;
  readonly ipv6: RangeList<bigint>;
  private readonly v4Firsts: Float64Array;
  private readonly v4Offsets: Float64Array;
  private readonly v6Offsets: Float64Array;
  /** bucketRange[b]: the IPv4 range holding index b·2^16; narrows each lookup to a range or two. */
  private readonly bucketRange: Uint32Array;

  constructor(lists: FamilyLists, exclusions: readonly Exclusion[]) {
    this.ipv4 = lists.v4;
    this.ipv6 = lists.v6;
    this.exclusions = exclusions;
    this.v4Firsts = Float64Array.from(lists.v4.firsts);
    this.v4Offsets = offsetsOf(
      lists.v4.firsts.map((f, i) => (lists.v4.lasts[i] as number) - f + 1),
      lists.v4.firsts.length,
    );
    this.v6Offsets = offsetsOf(
      lists.v6.firsts.map((f, i) => Number((lists.v6.lasts[i] as bigint) - f + 1n)),
      lists.v6.firsts.length,
    );
    this.ipv4Count = this.v4Offsets[this.v4Offsets.length - 1] as number;
    this.size = this.ipv4Count + (this.v6Offsets[this.v6Offsets.length - 1] as number);
    const buckets = Math.ceil(this.ipv4Count / BUCKET_SIZE) + 1;
    this.bucketRange = new Uint32Array(buckets);
    for (let b = 0; b < buckets; b++) {
      const index = Math.min(b * BUCKET_SIZE, Math.max(0, this.ipv4Count - 1));
      this.bucketRange[b] = rangeIndexOf(this.v4Offsets, index);
    }
  }

  /** The IPv4 address (as a number) at `index`, which must be below ipv4Count. Hot path: no allocation. */
  ipv4At(index: number): number {
    const offsets = this.v4Offsets;
    const bucket = Math.floor(index / BUCKET_SIZE);
    let lo = this.bucketRange[bucket] as number;
    let hi = this.bucketRange[bucket + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((offsets[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return (this.v4Firsts[lo] as number) + (index - (offsets[lo] as number));
  }

  /** The IPv6 address at `index` (ipv4Count <= index < size). */
  ipv6At(index: number): bigint {
    const local = index - this.ipv4Count;
    const i = rangeIndexOf(this.v6Offsets, local);
    return (this.ipv6.firsts[i] as bigint) + BigInt(local - (this.v6Offsets[i] as number));
  }

  /** The textual address at `index` in [0, size). */
  addressAt(index: number): string {
    return index < this.ipv4Count ? formatIpv4(this.ipv4At(index)) : formatIpv6(this.ipv6At(index));
  }
}

function describeExclusions(exclusions: readonly Exclusion[]): string {
  return exclusions.map((e) => `${e.reason} ${e.count}`).join(', ');
}

/** Build the target set; throws UsageError naming the bad spec, or explaining why nothing is left. */
export function buildTargetSet(opts: TargetSetOptions): TargetSet {
  const allow = opts.allowlist === undefined ? undefined : listsOf(opts.allowlist.specs, opts.specs.length === 0);
  let lists: FamilyLists;
  const exclusions: Exclusion[] = [];
  if (opts.specs.length === 0) {
    if (allow === undefined) throw new UsageError('no targets given: name addresses, CIDR blocks, ranges or a file');
    // Allowlist mode: the allowlist is the target set.
    lists = allow;
  } else {
    lists = listsOf(opts.specs, true);
    if (allow !== undefined) {
      const before = countLists(lists);
      lists = intersectLists(lists, allow);
      exclusions.push({ reason: 'not-in-allowlist', count: before - countLists(lists) });
    }
  }
  const beforeExclusions = countLists(lists);
  let reservedCount = 0;
  if (!opts.allowReserved) {
    // Count per reason on the (usually small) reserved part only, so a hitlist of millions is
    // walked twice, not once per reserved range.
    const reservedAll = listsOf(
      RESERVED_RANGES.map((r) => r.cidr),
      false,
    );
    let hit = intersectLists(lists, reservedAll);
    lists = subtractLists(lists, reservedAll);
    for (const reserved of RESERVED_RANGES) {
      const before = countLists(hit);
      hit = subtractLists(hit, listsOf([reserved.cidr], false));
      const count = before - countLists(hit);
      reservedCount += count;
      exclusions.push({ reason: `reserved:${reserved.cidr}`, count });
    }
  }
  for (const blocklist of opts.blocklists) {
    const before = countLists(lists);
    lists = subtractLists(lists, listsOf(blocklist.specs, false));
    exclusions.push({ reason: `blocklist:${blocklist.name}`, count: before - countLists(lists) });
  }
  const counted = exclusions.filter((e) => e.count > 0);
  const set = new TargetSet(lists, counted);
  if (set.size > MAX_TARGET_SET_SIZE) {
    throw new UsageError(`target set of ${set.size} addresses is too large (at most 2^33 = ${MAX_TARGET_SET_SIZE})`);
  }
  if (set.size === 0) {
    if (beforeExclusions > 0 && reservedCount > 0) {
      const names = RESERVED_RANGES.filter((r) => counted.some((e) => e.reason === `reserved:${r.cidr}`))
        .map((r) => `${r.cidr} (${r.name})`)
        .join(', ');
      throw new UsageError(
        `every target lies in a reserved range: ${names}; pass --allow-reserved to scan reserved addresses`,
      );
    }
    throw new UsageError(`no address left to scan: ${describeExclusions(counted) || 'the target set is empty'}`);
  }
  return set;
}
