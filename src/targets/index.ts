/**
 * The target space: what a campaign may visit and in which order.
 *
 * Pure (no files, sockets or clocks): the CLI reads files and hands lines to
 * these functions. The API the scan command and the queue call:
 *
 *   parseTargetSpec(spec)        one address, CIDR block (`10.0.0.0/8`, host bits cleared) or range
 *                                (`a.b.c.d-e.f.g.h`), IPv4 or IPv6 → AddressRange; UsageError naming spec.
 *   TargetNames.split(targets) → { specs, names }
 *                                target strings that may carry a name (`ip,name`, ZGrab2's input): the
 *                                specs for buildTargetSet, and the names that ride along, per address
 *                                (`names.probesOf(address)`: one probe per name, `undefined` = no name).
 *   buildTargetSet({ specs, allowReserved, blocklists, allowlist? }) → TargetSet
 *                                targets merged, narrowed to the allowlist, minus the reserved ranges
 *                                (unless allowReserved) and the blocklists. `.size`, `.exclusions`
 *                                ({ reason: 'reserved:<cidr>' | 'blocklist:<name>' | 'not-in-allowlist',
 *                                count }). IPv6 targets: hitlists and prefixes of at most 2^32 addresses.
 *   planScan(set, { seed, shards, shard }) → ScanPlan
 *                                `.seed` (canonical, decimal 64-bit), `.positions` (cycle positions of
 *                                this shard), `.size` (addresses in the whole set). Cheap: rebuild it in a
 *                                worker from the campaign record (same specs, blocklists, seed).
 *   chunksOf(plan, K) → Iterable<ChunkSpec>
 *                                ChunkSpec = { seed, shard, shards, start, count }: JSON-safe, constant size.
 *                                A chunk covers K positions and yields about K·size/(prime-1) addresses.
 *   addressesOf(plan, chunk) → Iterable<string>   the chunk's addresses in scan order, O(count)
 *   addressesOfPlan(plan) → Iterable<string>      the whole shard in scan order
 *
 * Guarantees: the order is a bijection of the set (every address exactly
 * once over all positions), fixed by the seed; the chunks of all shards cover
 * the set exactly once; no excluded address is ever produced. For raw speed
 * (≥ 10 M/s), ChunkWalker fills a caller's Float64Array with set indices that
 * TargetSet.ipv4At / addressAt turn into addresses.
 */
export type { AddressRange } from './address-range.js';
export { parseTargetSpec } from './target-spec.js';
export { parseIpv4, formatIpv4 } from './ipv4.js';
export { parseIpv6, formatIpv6 } from './ipv6.js';
export { RESERVED_RANGES, type ReservedRange } from './reserved.js';
export {
  buildTargetSet,
  TargetSet,
  MAX_IPV6_TARGET_SIZE,
  MAX_TARGET_SET_SIZE,
  type Exclusion,
  type NamedSpecs,
  type TargetSetOptions,
} from './target-set.js';
export { canonicalSeed } from './seed.js';
export {
  planScan,
  ScanPlan,
  chunksOf,
  wholeShard,
  addressesOf,
  addressesOfPlan,
  indicesOf,
  ChunkWalker,
  MAX_SHARDS,
  type ChunkSpec,
  type PlanOptions,
} from './scan-plan.js';
export { TargetLineReader, NAMED_LINE_HINT } from './target-line.js';
export { parseTarget, TargetNames, type ParsedTarget } from './named-targets.js';
export { buildNamedTargetSet } from './named-target-set.js';
