/**
 * Sorted, disjoint, non-adjacent inclusive ranges: the one representation of
 * a set of addresses. The algebra is written once for numbers (IPv4) and
 * bigints (IPv6) through a small arithmetic table; it runs while planning,
 * never per scanned address.
 */
export interface Arithmetic<T> {
  less(a: T, b: T): boolean;
  /** a + 1; only called when a is below the family's maximum. */
  next(a: T): T;
  /** a - 1; only called when a is above zero. */
  prev(a: T): T;
  count(first: T, last: T): number;
}

export const numberArithmetic: Arithmetic<number> = {
  less: (a, b) => a < b,
  next: (a) => a + 1,
  prev: (a) => a - 1,
  count: (first, last) => last - first + 1,
};

export const bigintArithmetic: Arithmetic<bigint> = {
  less: (a, b) => a < b,
  next: (a) => a + 1n,
  prev: (a) => a - 1n,
  count: (first, last) => Number(last - first + 1n),
};

export interface RangeList<T> {
  readonly firsts: readonly T[];
  readonly lasts: readonly T[];
}

/** Sort ranges by their first address and merge overlapping or adjacent ones. */
export function normalize<T>(ar: Arithmetic<T>, firsts: T[], lasts: T[]): RangeList<T> {
  const order = Array.from(firsts.keys()).sort((i, j) => {
    const a = firsts[i] as T;
    const b = firsts[j] as T;
    return ar.less(a, b) ? -1 : ar.less(b, a) ? 1 : 0;
  });
  const outFirsts: T[] = [];
  const outLasts: T[] = [];
  for (const i of order) {
    const first = firsts[i] as T;
    const last = lasts[i] as T;
    const top = outLasts.length - 1;
    const prevLast = outLasts[top];
    // Merge when the range overlaps or touches the previous one (first <= prevLast + 1).
    if (prevLast !== undefined && !ar.less(ar.next(prevLast), first)) {
      if (ar.less(prevLast, last)) outLasts[top] = last;
    } else {
      outFirsts.push(first);
      outLasts.push(last);
    }
  }
  return { firsts: outFirsts, lasts: outLasts };
}

/** a ∖ b, both normalized; linear in the two lengths. */
export function subtract<T>(ar: Arithmetic<T>, a: RangeList<T>, b: RangeList<T>): RangeList<T> {
  const firsts: T[] = [];
  const lasts: T[] = [];
  let j = 0;
  for (let i = 0; i < a.firsts.length; i++) {
    let first = a.firsts[i] as T;
    const last = a.lasts[i] as T;
    let alive = true;
    while (j < b.firsts.length && ar.less(b.lasts[j] as T, first)) j++;
    for (let k = j; k < b.firsts.length && !ar.less(last, b.firsts[k] as T); k++) {
      const bFirst = b.firsts[k] as T;
      const bLast = b.lasts[k] as T;
      if (ar.less(first, bFirst)) {
        firsts.push(first);
        lasts.push(ar.prev(bFirst));
      }
      if (!ar.less(bLast, last)) {
        alive = false;
        break;
      }
      first = ar.next(bLast);
    }
    if (alive) {
      firsts.push(first);
      lasts.push(last);
    }
  }
  return { firsts, lasts };
}

/** a ∩ b, both normalized; linear in the two lengths. */
export function intersect<T>(ar: Arithmetic<T>, a: RangeList<T>, b: RangeList<T>): RangeList<T> {
  const firsts: T[] = [];
  const lasts: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.firsts.length && j < b.firsts.length) {
    const aFirst = a.firsts[i] as T;
    const aLast = a.lasts[i] as T;
    const bFirst = b.firsts[j] as T;
    const bLast = b.lasts[j] as T;
    const first = ar.less(aFirst, bFirst) ? bFirst : aFirst;
    const last = ar.less(aLast, bLast) ? aLast : bLast;
    if (!ar.less(last, first)) {
      firsts.push(first);
      lasts.push(last);
    }
    if (ar.less(aLast, bLast)) i++;
    else j++;
  }
  return { firsts, lasts };
}

export function totalCount<T>(ar: Arithmetic<T>, list: RangeList<T>): number {
  let n = 0;
  for (let i = 0; i < list.firsts.length; i++) n += ar.count(list.firsts[i] as T, list.lasts[i] as T);
  return n;
}

/**
 * normalize() for IPv4 input that is mostly single addresses (ZMap output,
 * hitlists of millions): the singles are sorted natively as a typed array,
 * which is many times faster and smaller than sorting index arrays with a
 * comparator, then merged with the few ranges.
 */
export function normalizeNumbers(singles: Float64Array, firsts: number[], lasts: number[]): RangeList<number> {
  singles.sort();
  const ranges = normalize(numberArithmetic, firsts, lasts);
  const outFirsts: number[] = [];
  const outLasts: number[] = [];
  const add = (first: number, last: number): void => {
    const top = outLasts.length - 1;
    if (top >= 0 && first <= (outLasts[top] as number) + 1) {
      if (last > (outLasts[top] as number)) outLasts[top] = last;
    } else {
      outFirsts.push(first);
      outLasts.push(last);
    }
  };
  let i = 0;
  let j = 0;
  while (i < singles.length || j < ranges.firsts.length) {
    const single = i < singles.length ? (singles[i] as number) : Infinity;
    const rangeFirst = j < ranges.firsts.length ? (ranges.firsts[j] as number) : Infinity;
    if (single < rangeFirst) {
      add(single, single);
      i++;
    } else {
      add(rangeFirst, ranges.lasts[j] as number);
      j++;
    }
  }
  return { firsts: outFirsts, lasts: outLasts };
}
