import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildTargetSet, formatIpv4, parseIpv4, type TargetSet } from '../../src/targets/index.js';

function addressesOf(set: TargetSet): string[] {
  return Array.from({ length: set.size }, (_, i) => set.addressAt(i));
}

const ip = (n: number): string => formatIpv4(n);

describe('buildTargetSet', () => {
  it('merges overlapping and adjacent targets', () => {
    const set = buildTargetSet({
      specs: ['127.0.0.0/30', '127.0.0.2-127.0.0.5', '127.0.0.6', '127.0.0.3'],
      allowReserved: true,
      blocklists: [],
    });
    expect(set.size).toBe(7);
    expect(set.ipv4.firsts).toEqual([parseIpv4('127.0.0.0')]);
    expect(addressesOf(set)).toEqual(Array.from({ length: 7 }, (_, i) => `127.0.0.${i}`));
  });

  it('subtracts the reserved ranges and counts them by reason', () => {
    const set = buildTargetSet({ specs: ['0.0.0.0/0'], allowReserved: false, blocklists: [] });
    expect(set.size).toBe(3_702_258_432); // ZMap's figure for IPv4 minus its default blocklist
    expect(set.exclusions.find((e) => e.reason === 'reserved:10.0.0.0/8')?.count).toBe(2 ** 24);
    // 255.255.255.255 already went with 240.0.0.0/4: counted once, under the first reason.
    expect(set.exclusions.some((e) => e.reason === 'reserved:255.255.255.255/32')).toBe(false);
    expect(set.size + set.exclusions.reduce((s, e) => s + e.count, 0)).toBe(2 ** 32);
  });

  it('refuses a set that is all reserved, pointing at --allow-reserved', () => {
    for (const spec of ['127.0.0.1', '10.0.0.0/8', '::1', 'fe80::/120']) {
      expect(() => buildTargetSet({ specs: [spec], allowReserved: false, blocklists: [] }), spec).toThrow(
        /reserved.*--allow-reserved/,
      );
    }
    expect(buildTargetSet({ specs: ['127.0.0.1', '::1'], allowReserved: true, blocklists: [] }).size).toBe(2);
  });

  it('applies user blocklists even with --allow-reserved, and counts them', () => {
    const set = buildTargetSet({
      specs: ['127.0.0.0/24'],
      allowReserved: true,
      blocklists: [{ name: 'optout.txt', specs: ['127.0.0.0/25', '127.0.0.200'] }],
    });
    expect(set.size).toBe(127);
    expect(set.exclusions).toEqual([{ reason: 'blocklist:optout.txt', count: 129 }]);
    expect(() =>
      buildTargetSet({
        specs: ['127.0.0.1'],
        allowReserved: true,
        blocklists: [{ name: 'b', specs: ['127.0.0.0/8'] }],
      }),
    ).toThrow(/no address left.*blocklist:b 1/);
  });

  it('narrows to an allowlist, or scans the allowlist alone', () => {
    const allowlist = { name: 'allow.txt', specs: ['127.0.0.8/29'] };
    const narrowed = buildTargetSet({ specs: ['127.0.0.0/28'], allowReserved: true, blocklists: [], allowlist });
    expect(narrowed.size).toBe(8);
    expect(narrowed.exclusions).toEqual([{ reason: 'not-in-allowlist', count: 8 }]);
    const alone = buildTargetSet({ specs: [], allowReserved: true, blocklists: [], allowlist });
    expect(addressesOf(alone)).toEqual(addressesOf(narrowed));
  });

  it('takes IPv6 hitlists and small prefixes, refuses large prefixes', () => {
    const set = buildTargetSet({
      specs: ['2606:4700::1111', '2606:4700::1001', '2606:4700::1111', '2a00:1450::/126', '192.0.2.1', '1.1.1.1'],
      allowReserved: false,
      blocklists: [],
    });
    expect(set.size).toBe(7);
    expect(set.exclusions).toEqual([{ reason: 'reserved:192.0.2.0/24', count: 1 }]);
    expect(addressesOf(set)).toEqual([
      '1.1.1.1',
      '2606:4700::1001',
      '2606:4700::1111',
      '2a00:1450::',
      '2a00:1450::1',
      '2a00:1450::2',
      '2a00:1450::3',
    ]);
    for (const spec of ['::/0', '2001:db8::/32', '2a00::/95']) {
      expect(() => buildTargetSet({ specs: [spec], allowReserved: true, blocklists: [] }), spec).toThrow(
        /too large to enumerate/,
      );
    }
    expect(buildTargetSet({ specs: ['2a00::/96'], allowReserved: true, blocklists: [] }).size).toBe(2 ** 32);
  });

  it('never contains a blocklisted address and keeps every other target (random sets)', () => {
    // Small address window so that targets and blocklists overlap often.
    const range = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }))
      .map(([a, len]) => [0x7f000000 + a, 0x7f000000 + a + len] as const);
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 8 }), fc.array(range, { maxLength: 8 }), (t, b) => {
        const toSpec = ([f, l]: readonly [number, number]): string => `${ip(f)}-${ip(l)}`;
        const expected = new Set<number>();
        for (const [f, l] of t) for (let a = f; a <= l; a++) expected.add(a);
        for (const [f, l] of b) for (let a = f; a <= l; a++) expected.delete(a);
        let set: TargetSet;
        try {
          set = buildTargetSet({
            specs: t.map(toSpec),
            allowReserved: true,
            blocklists: [{ name: 'b', specs: b.map(toSpec) }],
          });
        } catch (err) {
          return expected.size === 0 && err instanceof UsageError;
        }
        const got = addressesOf(set).map((a) => parseIpv4(a) as number);
        expect(got).toEqual([...expected].sort((x, y) => x - y));
        expect(set.exclusions.reduce((s, e) => s + e.count, 0) + set.size).toBe(
          new Set(t.flatMap(([f, l]) => Array.from({ length: l - f + 1 }, (_, i) => f + i))).size,
        );
        return true;
      }),
    );
  });
});
