/**
 * Arithmetic modulo a prime p < 2^34 with plain doubles. A product of two
 * residues can reach 2^68, far past 2^53 where doubles stop being exact, so
 * the multiplier is split into 16-bit halves: every intermediate stays below
 * 2^52. This beats BigInt several times over (bench/targets-bench.ts).
 */

export const MAX_MODULUS = 2 ** 34;

/** t mod p for 0 <= t < 2^53, via a quotient that may be off by one and is corrected. */
export function reduce(t: number, p: number): number {
  const r = t - Math.floor(t / p) * p;
  return r < 0 ? r + p : r >= p ? r - p : r;
}

/** a·b mod p for a, b in [0, p), p < 2^34. */
export function mulmod(a: number, b: number, p: number): number {
  const high = Math.floor(b / 65536);
  const low = b - high * 65536;
  return reduce(reduce(a * high, p) * 65536 + a * low, p);
}

/** base^exp mod p by squaring: at most 2·34 multiplications, so any position is reached in constant time. */
export function powmod(base: number, exp: number, p: number): number {
  let result = 1 % p;
  let b = base % p;
  let e = exp;
  while (e > 0) {
    if (e % 2 === 1) result = mulmod(result, b, p);
    b = mulmod(b, b, p);
    e = Math.floor(e / 2);
  }
  return result;
}

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  const limit = Math.floor(Math.sqrt(n));
  for (let d = 5; d <= limit; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** The smallest prime strictly above n. */
export function primeAbove(n: number): number {
  let candidate = n + 1;
  while (!isPrime(candidate)) candidate++;
  return candidate;
}

export function distinctPrimeFactors(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (let d = 2; d * d <= rest; d += d === 2 ? 1 : 2) {
    if (rest % d === 0) {
      factors.push(d);
      while (rest % d === 0) rest /= d;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}

/** The smallest generator of the multiplicative group modulo the prime p. */
export function smallestPrimitiveRoot(p: number): number {
  if (p === 2) return 1;
  const order = p - 1;
  const factors = distinctPrimeFactors(order);
  for (let g = 2; g < p; g++) {
    if (factors.every((q) => powmod(g, order / q, p) !== 1)) return g;
  }
  throw new Error(`no primitive root modulo ${p}: not a prime`);
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
