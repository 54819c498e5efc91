import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { addressAt, indexInRange, isLoopback, parseFleetRange } from '../../src/sim/address-range.js';
import { startFleet } from '../../src/sim/index.js';

describe('fleet range: loopback only', () => {
  it.each(['10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0', '128.0.0.0/8', '127.0.0.0/7', '::', '::2', '2001:db8::1', 'x'])(
    'refuses %s with a UsageError naming the value',
    (bad) => {
      expect(() => parseFleetRange('--range', bad)).toThrow(UsageError);
      expect(() => parseFleetRange('--range', bad)).toThrow(JSON.stringify(bad));
    },
  );

  it('refuses host bits and prefixes outside /8–/32', () => {
    expect(() => parseFleetRange('--range', '127.16.0.1/16')).toThrow(/host bits/);
    expect(() => parseFleetRange('--range', '127.16.0.0/33')).toThrow(UsageError);
  });

  it('startFleet refuses a non-loopback range before binding', async () => {
    await expect(startFleet({ range: '192.0.2.0/24' })).rejects.toBeInstanceOf(UsageError);
  });

  it('maps addresses to indexes and back', () => {
    const range = parseFleetRange('--range', '127.16.0.0/16');
    expect(range.size).toBe(65536);
    expect(indexInRange(range, '127.16.1.2')).toBe(258);
    expect(indexInRange(range, '::ffff:127.16.1.2')).toBe(258);
    expect(indexInRange(range, '127.17.0.0')).toBe(-1);
    expect(addressAt(range, 65535)).toBe('127.16.255.255');
    expect(parseFleetRange('--range', '::1')).toMatchObject({ family: 6, size: 1 });
  });

  it('knows loopback peers', () => {
    expect(isLoopback('127.9.9.9')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});
