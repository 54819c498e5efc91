import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6, parseTargetSpec } from '../../src/targets/index.js';
import { TargetLineReader } from '../../src/targets/target-line.js';

describe('IPv4 text', () => {
  it('round-trips every 32-bit value', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => parseIpv4(formatIpv4(n)) === n));
  });
  it('rejects ambiguous and malformed text', () => {
    for (const bad of ['300.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', '1.2.3.4 ', '+1.2.3.4', '']) {
      expect(parseIpv4(bad), bad).toBeNull();
    }
  });
});

describe('IPv6 text', () => {
  it('round-trips every 128-bit value in RFC 5952 form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n) => {
        const text = formatIpv6(n);
        return parseIpv6(text) === n && text === text.toLowerCase();
      }),
    );
  });
  it('reads the usual forms and writes the canonical one', () => {
    expect(formatIpv6(parseIpv6('2001:DB8:0:0:0:0:0:1') as bigint)).toBe('2001:db8::1');
    expect(formatIpv6(parseIpv6('::ffff:192.0.2.1') as bigint)).toBe('::ffff:c000:201');
    expect(formatIpv6(parseIpv6('1:0:0:2:0:0:0:3') as bigint)).toBe('1:0:0:2::3');
    expect(parseIpv6('::')).toBe(0n);
  });
  it('rejects malformed text and zone ids', () => {
    for (const bad of ['1::2::3', ':1', '1:', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7', '1.2.3.4::', 'g::1']) {
      expect(parseIpv6(bad), bad).toBeNull();
    }
  });
});

describe('parseTargetSpec', () => {
  it('reads addresses, CIDR blocks (host bits cleared) and ranges', () => {
    expect(parseTargetSpec('192.0.2.7')).toEqual({ family: 4, first: 0xc0000207, last: 0xc0000207 });
    expect(parseTargetSpec('192.0.2.7/24')).toEqual({ family: 4, first: 0xc0000200, last: 0xc00002ff });
    expect(parseTargetSpec('0.0.0.0/0')).toEqual({ family: 4, first: 0, last: 2 ** 32 - 1 });
    expect(parseTargetSpec('10.0.0.5-10.0.1.4')).toEqual({ family: 4, first: 0x0a000005, last: 0x0a000104 });
    expect(parseTargetSpec('2001:db8::/126')).toEqual({
      family: 6,
      first: 0x20010db8n << 96n,
      last: (0x20010db8n << 96n) + 3n,
    });
  });
  it('names the bad value', () => {
    const cases: [string, RegExp][] = [
      ['300.1.1.1', /"300\.1\.1\.1"/],
      ['10.0.0.0/33', /"10\.0\.0\.0\/33".*0 to 32/],
      ['10.0.0.0/', /"10\.0\.0\.0\/"/],
      ['10.0.0.9-10.0.0.1', /ends before it starts/],
      ['10.0.0.1-::1', /mixes IPv4 and IPv6/],
      ['host.example', /"host\.example"/],
      ['x'.repeat(500), /longer than/],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseTargetSpec(spec), spec).toThrow(UsageError);
      expect(() => parseTargetSpec(spec), spec).toThrow(message);
    }
  });
});

describe('targets file lines', () => {
  /** The target strings a reader makes of these lines, numbered from 1; null for lines with nothing to scan. */
  const read = (names: boolean, lines: string[]): (string | null)[] => {
    const reader = new TargetLineReader(names);
    return lines.map((line, i) => reader.read(line, i + 1));
  };

  it('reads ZMap CSV output with its header: the address column only, names or not', () => {
    for (const names of [true, false]) {
      expect(read(names, ['saddr,sport,classification', '192.0.2.1,25,synack', '2001:db8::1,25,synack,1,2'])).toEqual([
        null,
        '192.0.2.1',
        '2001:db8::1',
      ]);
    }
  });

  it('reads plain lines, comments and blanks; a header word after line 1 is left for the parser to reject', () => {
    expect(read(true, ['# comment', '  198.51.100.0/24   # opt-out', '   ', 'saddr'])).toEqual([
      null,
      '198.51.100.0/24',
      null,
      'saddr',
    ]);
  });

  it("reads ZGrab2's ip,name and ip,name,tag lines; an empty name is no name", () => {
    expect(
      read(true, ['192.0.2.1, mx.example.org', '192.0.2.2,mx.example.org,some tag', '192.0.2.3,,tag', '192.0.2.4,']),
    ).toEqual(['192.0.2.1,mx.example.org', '192.0.2.2,mx.example.org', '192.0.2.3', '192.0.2.4']);
  });

  it('reads a header with a name or domain column as named lines, of any width', () => {
    expect(read(true, ['ip,domain,tag,port', '192.0.2.1,mx.example.org,t,25'])).toEqual([
      null,
      '192.0.2.1,mx.example.org',
    ]);
    expect(read(true, ['address,Name', '192.0.2.1,mx.example.org'])).toEqual([null, '192.0.2.1,mx.example.org']);
  });

  it('refuses a headerless line of more than three columns, naming it', () => {
    expect(() => read(true, ['192.0.2.1,mx.example.org,tag,25'])).toThrow(UsageError);
    expect(() => read(true, ['192.0.2.1,mx.example.org,tag,25'])).toThrow(
      '"192.0.2.1,mx.example.org,tag,25": 4 columns (lines are ip, ip,name or ip,name,tag',
    );
  });

  it('reads only the address of a blocklist or allowlist line', () => {
    expect(read(false, ['192.0.2.1,mx.example.org', '192.0.2.2,25,synack,1,2'])).toEqual(['192.0.2.1', '192.0.2.2']);
  });
});
