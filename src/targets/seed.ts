/**
 * Seeds. A campaign's order is fixed by one unsigned 64-bit number, kept as a
 * decimal string (JSON-safe, exact). A user may give that number or any
 * other text, which is hashed to one, so `--seed spring-2025` is reproducible too.
 */
import { UsageError } from '../errors.js';

const MASK64 = (1n << 64n) - 1n;

/** FNV-1a, 64-bit, over the UTF-8 bytes: stable across platforms and versions. */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}

/** The seed as a 64-bit value: decimal integers up to 2^64-1 as themselves, other text hashed. */
export function canonicalSeed(seed: bigint | number | string): bigint {
  if (typeof seed === 'bigint' || typeof seed === 'number') {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new UsageError(`--seed ${String(seed)}: expected a whole number`);
    }
    const value = BigInt(seed);
    if (value < 0n || value > MASK64) throw new UsageError(`--seed ${String(seed)}: expected 0 to 2^64-1`);
    return value;
  }
  if (seed === '') throw new UsageError('--seed "": expected a number or a non-empty text');
  if (/^\d{1,20}$/.test(seed) && BigInt(seed) <= MASK64) return BigInt(seed);
  return fnv1a64(seed);
}

/**
 * SplitMix64: a tiny generator whose outputs are well mixed even for
 * neighbouring seeds, so seeds 1 and 2 give unrelated orders.
 */
export function* splitmix64(seed: bigint): Generator<bigint, never> {
  let state = seed & MASK64;
  for (;;) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    yield z ^ (z >> 31n);
  }
}
