/**
 * Targets that carry a name: what is scanned and how often. The order is the
 * permutation of addresses alone; an address gets one probe per name it was
 * listed with, and one without a name only when it was also listed bare.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { addressesOfPlan, buildTargetSet, parseTarget, planScan, TargetNames } from '../../src/targets/index.js';

describe('parseTarget', () => {
  it('normalizes the name: lower case, no final dot, IP literals canonical', () => {
    expect(parseTarget('192.0.2.1,MX.Example.ORG.').name).toBe('mx.example.org');
    expect(parseTarget('192.0.2.1,2001:DB8:0::1').name).toBe('2001:db8::1');
    expect(parseTarget('2001:db8::25, 192.0.2.1 ').name).toBe('192.0.2.1');
    expect(parseTarget('192.0.2.0/24').name).toBeNull();
  });

  it.each([
    ['192.0.2.1,localhost', '"localhost" is not a host name'],
    ['192.0.2.1,mx..example.org', '"mx..example.org" is not a host name'],
    ['192.0.2.1,-mx.example.org', '"-mx.example.org" is not a host name'],
    ['192.0.2.1,mx.example.123', '"mx.example.123" is not a host name'],
    ['192.0.2.1,mx.example.org\r\nMAIL', 'is not a host name'],
    [`192.0.2.1,${'a'.repeat(64)}.example.org`, 'is not a host name'],
    ['192.0.2.0-192.0.2.9,mx.example.org', 'a name goes with one address, not a block or range'],
    ['300.0.2.1,mx.example.org', '"300.0.2.1"'],
  ])('refuses %j', (target, message) => {
    expect(() => parseTarget(target)).toThrow(UsageError);
    expect(() => parseTarget(target)).toThrow(message);
  });
});

describe('TargetNames.split', () => {
  it('leaves unnamed targets alone', () => {
    const { specs, names } = TargetNames.split(['192.0.2.0/30', '2001:db8::1']);
    expect(specs).toEqual(['192.0.2.0/30', '2001:db8::1']);
    expect(names.size).toBe(0);
    expect(names.probesOf('192.0.2.1')).toEqual([undefined]);
  });

  it('probes an address once per name, and without a name only when it was listed bare too', () => {
    const { specs, names } = TargetNames.split([
      '192.0.2.1,mx1.example.org',
      '192.0.2.1,mx2.example.org',
      '192.0.2.1,MX1.example.org.',
      '192.0.2.2,mx.example.org',
      '192.0.2.2',
      '198.51.100.0/24',
      '198.51.100.7,mx.example.net',
      '2001:DB8::0:25,mx.example.com',
    ]);
    expect(names.probesOf('192.0.2.1')).toEqual(['mx1.example.org', 'mx2.example.org']);
    expect(names.probesOf('192.0.2.2')).toEqual([undefined, 'mx.example.org']);
    // Inside a listed block counts as listed bare.
    expect(names.probesOf('198.51.100.7')).toEqual([undefined, 'mx.example.net']);
    // Keyed by the address as the plan writes it.
    expect(names.probesOf('2001:db8::25')).toEqual(['mx.example.com']);
    expect(names.probesOf('198.51.100.8')).toEqual([undefined]);

    // The set holds each address once; the permutation orders addresses, names ride along.
    const set = buildTargetSet({ specs, allowReserved: true, blocklists: [] });
    expect(set.size).toBe(2 + 256 + 1);
    const order = [...addressesOfPlan(planScan(set, { seed: '7', shards: 1, shard: 0 }))];
    expect(new Set(order).size).toBe(order.length);
    expect(order).toContain('192.0.2.1');
    const probes = order.flatMap((ip) => names.probesOf(ip).map((name) => `${ip},${name ?? ''}`));
    // 259 addresses; 192.0.2.1 (two names), 192.0.2.2 and 198.51.100.7 (bare and named) get a second probe.
    expect(probes.length).toBe(259 + 3);
  });

  it('keeps a blocklisted named address out, names and all', () => {
    const { specs } = TargetNames.split(['192.0.2.1,mx.example.org', '192.0.2.2,mx.example.org']);
    const set = buildTargetSet({
      specs,
      allowReserved: true,
      blocklists: [{ name: 'optout', specs: ['192.0.2.1'] }],
    });
    expect([...addressesOfPlan(planScan(set, { seed: '1', shards: 1, shard: 0 }))]).toEqual(['192.0.2.2']);
  });
});
