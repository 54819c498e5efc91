/**
 * The multiplicative group modulo a prime p > N, ZMap's way of visiting N
 * indices in a scrambled order without state: the elements g^0·s, g^1·s, …
 * of a generator g run through every value 1..p-1 exactly once; values above
 * N are skipped and value v stands for index v-1. Because p is the smallest
 * prime above N, at most a few per million positions are skipped for
 * Internet-sized N (prime gaps are tiny compared with N).
 */
import { gcd, powmod, primeAbove, smallestPrimitiveRoot } from './modular.js';
import { splitmix64 } from './seed.js';

export interface CyclicGroup {
  /** The modulus: the smallest prime above the set size. */
  prime: number;
  /** A generator of the group, derived from the seed. */
  generator: number;
  /** The element at cycle position 0, derived from the seed. */
  offset: number;
}

export function cyclicGroupFor(size: number, seed: bigint): CyclicGroup {
  const prime = primeAbove(size);
  const order = prime - 1;
  const root = smallestPrimitiveRoot(prime);
  const random = splitmix64(seed);
  // root^k generates the group exactly when k is coprime to the order; walk up from a seeded k.
  let exponent = Number(random.next().value % BigInt(order)) + 1;
  while (gcd(exponent, order) !== 1) exponent = (exponent % order) + 1;
  const generator = powmod(root, exponent, prime);
  const offset = Number(random.next().value % BigInt(order)) + 1;
  return { prime, generator, offset };
}
