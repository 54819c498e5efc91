import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueueError } from '../../src/errors.js';
import {
  addressesOf,
  addressesOfPlan,
  buildTargetSet,
  chunksOf,
  formatIpv4,
  formatIpv6,
  indicesOf,
  planScan,
  wholeShard,
  type TargetSet,
} from '../../src/targets/index.js';
import { mulmod, powmod, primeAbove, smallestPrimitiveRoot } from '../../src/targets/modular.js';

/** A loopback set of exactly `size` addresses (127.0.0.0/8 holds 2^24). */
function setOfSize(size: number): TargetSet {
  const last = 0x7f000000 + size - 1;
  return buildTargetSet({
    specs: [`127.0.0.0-127.${(last >>> 16) & 255}.${(last >>> 8) & 255}.${last & 255}`],
    allowReserved: true,
    blocklists: [],
  });
}

const seedArb = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.string({ minLength: 1 }));

describe('modular arithmetic', () => {
  it('split multiplication equals BigInt multiplication for moduli up to 2^34', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 2 ** 34 - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, fa, fb) => {
          const a = Math.min(p - 1, Math.floor(fa * p));
          const b = Math.min(p - 1, Math.floor(fb * p));
          return mulmod(a, b, p) === Number((BigInt(a) * BigInt(b)) % BigInt(p));
        },
      ),
    );
  });
  it("finds ZMap's prime and primitive root for all of IPv4", () => {
    expect(primeAbove(2 ** 32)).toBe(2 ** 32 + 15);
    expect(smallestPrimitiveRoot(2 ** 32 + 15)).toBe(3);
    expect(powmod(3, 2 ** 32 + 14, 2 ** 32 + 15)).toBe(1);
  });
});

describe('planScan order', () => {
  it('is a bijection of the set for random sizes and seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), seedArb, (size, seed) => {
        const plan = planScan(setOfSize(size), { seed, shards: 1, shard: 0 });
        const seen = [...indicesOf(plan, wholeShard(plan))];
        expect(seen.length).toBe(size);
        expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
      }),
      { numRuns: 60 },
    );
  });

  it('is fixed by the seed and changes with it', () => {
    const set = setOfSize(5000);
    const order = (seed: string | number | bigint): string[] =>
      [...addressesOfPlan(planScan(set, { seed, shards: 1, shard: 0 }))].slice(0, 50);
    expect(order(42)).toEqual(order('42'));
    expect(order(42)).toEqual(order(42n));
    expect(order('spring')).toEqual(order('spring'));
    expect(order(42)).not.toEqual(order(43));
    expect(order('spring')).not.toEqual(order('autumn'));
    // A text seed becomes its canonical number, which reproduces it.
    const plan = planScan(set, { seed: 'spring', shards: 1, shard: 0 });
    expect(plan.seed).toMatch(/^\d+$/);
    expect(order(plan.seed)).toEqual(order('spring'));
  });

  it('spreads consecutive addresses of 0.0.0.0/0 across /24s', () => {
    const set = buildTargetSet({ specs: ['0.0.0.0/0'], allowReserved: false, blocklists: [] });
    for (const seed of [1, 2, 'campaign']) {
      const plan = planScan(set, { seed, shards: 1, shard: 0 });
      let previous = '';
      let i = 0;
      const repeats: string[] = [];
      for (const address of addressesOfPlan(plan)) {
        const net = address.slice(0, address.lastIndexOf('.'));
        if (net === previous) repeats.push(`${i}: ${address}`);
        previous = net;
        if (++i === 20_000) break;
      }
      expect(repeats, `seed ${seed}`).toEqual([]);
    }
  });

  it('plans all of IPv4 quickly and jumps to far positions', () => {
    const started = performance.now();
    const set = buildTargetSet({ specs: ['0.0.0.0/0'], allowReserved: true, blocklists: [] });
    const plan = planScan(set, { seed: 7, shards: 1, shard: 0 });
    expect(plan.group.prime).toBe(2 ** 32 + 15);
    expect(plan.positions).toBe(2 ** 32 + 14);
    // Enumerating a chunk near the end agrees with stepping from the element before it.
    const far = { seed: plan.seed, shard: 0, shards: 1, start: 2 ** 32 + 10, count: 4 };
    const viaChunk = [...indicesOf(plan, far)];
    const expected = [0, 1, 2, 3].map((k) => plan.elementAt(far.start + k) - 1).filter((i) => i < set.size);
    expect(viaChunk).toEqual(expected);
    expect(performance.now() - started).toBeLessThan(5000); // generous: a shared 2-core machine
  });
});

describe('shards and chunks', () => {
  it('chunks of all shards cover every address exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        seedArb,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 300 }),
        (size, seed, shards, chunkSize) => {
          const set = setOfSize(size);
          const counts = new Uint8Array(size);
          for (let shard = 0; shard < shards; shard++) {
            const plan = planScan(set, { seed, shards, shard });
            let positions = 0;
            for (const chunk of chunksOf(plan, chunkSize)) {
              expect(chunk.count).toBeLessThanOrEqual(chunkSize);
              expect(JSON.parse(JSON.stringify(chunk))).toEqual(chunk);
              positions += chunk.count;
              for (const index of indicesOf(plan, chunk)) counts[index] = (counts[index] ?? 0) + 1;
            }
            expect(positions).toBe(plan.positions);
          }
          expect(counts.every((c) => c === 1)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('shards are disjoint and their union is the set, with a blocklist applied', () => {
    const set = buildTargetSet({
      specs: ['127.0.0.0/22', '::1', '2001:470::/120'],
      allowReserved: true,
      blocklists: [{ name: 'b', specs: ['127.0.1.0/24', '2001:470::80/121'] }],
    });
    expect(set.size).toBe(1024 - 256 + 1 + 128);
    const all = new Set<string>();
    let total = 0;
    for (let shard = 0; shard < 3; shard++) {
      for (const address of addressesOfPlan(planScan(set, { seed: 'x', shards: 3, shard }))) {
        all.add(address);
        total++;
        expect(address.startsWith('127.0.1.')).toBe(false);
      }
    }
    expect(total).toBe(set.size);
    expect(all.size).toBe(set.size);
    expect(all.has('::1')).toBe(true);
    expect(all.has('2001:470::7f')).toBe(true);
    expect(all.has('2001:470::80')).toBe(false);
  });

  it('refuses a chunk from another plan', () => {
    const set = setOfSize(100);
    const plan = planScan(set, { seed: 1, shards: 2, shard: 0 });
    const chunk = [...chunksOf(plan, 10)][0];
    expect(chunk).toBeDefined();
    const other = planScan(set, { seed: 2, shards: 2, shard: 0 });
    expect(() => [...addressesOf(other, chunk!)]).toThrow(QueueError);
    expect(() => [...addressesOf(plan, { ...chunk!, start: plan.positions })]).toThrow(/does not belong/);
    expect(() => planScan(set, { seed: 1, shards: 2, shard: 2 })).toThrow(/--shard 2/);
  });
});

describe('ChunkWalker arithmetic at Internet scale', () => {
  it('steps exactly like BigInt arithmetic modulo a prime above 2^32', () => {
    const set = buildTargetSet({ specs: ['0.0.0.0/0', '2a00::/96'], allowReserved: true, blocklists: [] });
    for (const seed of [3, 'big']) {
      const plan = planScan(set, { seed, shards: 5, shard: 4 });
      expect(plan.group.prime).toBeGreaterThan(2 ** 33);
      const p = BigInt(plan.group.prime);
      const g = BigInt(plan.group.generator);
      const start = plan.positions - 200_000;
      let x = BigInt(plan.elementAt(start));
      const expected: number[] = [];
      for (let k = 0; k < 200_000; k++) {
        if (x <= BigInt(set.size)) expected.push(Number(x) - 1);
        x = (x * g) % p;
      }
      const got = [...indicesOf(plan, { seed: plan.seed, shard: 4, shards: 5, start, count: 200_000 })];
      expect(got).toEqual(expected);
    }
  });
});

describe('IPv6 hitlists', () => {
  it('visit every listed address exactly once across shards, whatever the list and seed', () => {
    // 2a00::/12 is global unicast, clear of every reserved range; small offsets make duplicates likely.
    const address = fc
      .tuple(fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }), fc.bigInt({ min: 0n, max: 63n }))
      .map(([high, low]) => formatIpv6((0x2a00n << 112n) + (high << 64n) + low));
    fc.assert(
      fc.property(
        fc.array(address, { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(formatIpv4), { maxLength: 20 }),
        seedArb,
        fc.integer({ min: 1, max: 4 }),
        (v6, v4, seed, shards) => {
          const set = buildTargetSet({ specs: [...v6, ...v4], allowReserved: true, blocklists: [] });
          const expected = new Set([...v6, ...v4]);
          const seen: string[] = [];
          for (let shard = 0; shard < shards; shard++) {
            for (const a of addressesOfPlan(planScan(set, { seed, shards, shard }))) seen.push(a);
          }
          expect(seen.length).toBe(expected.size);
          expect(new Set(seen)).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});
