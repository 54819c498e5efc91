import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/index.js';
import { OUTCOMES, FINGERPRINTS } from '../../src/record.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ range: '127.16.0.0/24', implicitTlsPort: 0, mix: 'realistic', seed: 9 });
});
afterAll(async () => {
  await fleet.close();
});

describe('manifest', () => {
  it('lists every address on every port, matching personaOf and expectedFor', () => {
    const entries = [...fleet.manifest()];
    expect(entries).toHaveLength(256 * 2);
    for (const entry of entries) {
      expect(entry.persona).toBe(fleet.personaOf(entry.ip).name);
      expect(entry.expect).toEqual(fleet.expectedFor(entry.ip, entry.port));
      expect(OUTCOMES).toContain(entry.expect.outcome);
      for (const f of entry.expect.fingerprints ?? []) expect(FINGERPRINTS).toContain(f);
    }
    // A round trip through JSON loses nothing: it is what --manifest writes.
    expect(JSON.parse(JSON.stringify(entries[0]))).toEqual(entries[0]);
  });

  it('covers every outcome a single accepting listener can produce, and every fingerprint', async () => {
    const even = await startFleet({ range: '127.17.0.0/26' });
    try {
      const entries = [...even.manifest()];
      const outcomes = new Set(entries.map((e) => e.expect.outcome));
      const connectOnly = ['connect-refused', 'connect-timeout', 'connect-error'];
      for (const o of OUTCOMES.filter((x) => !connectOnly.includes(x))) expect(outcomes, o).toContain(o);
      const prints = new Set(entries.flatMap((e) => e.expect.fingerprints ?? []));
      for (const f of FINGERPRINTS) expect(prints, f).toContain(f);
    } finally {
      await even.close();
    }
  });

  it('depends on whether the scanner forces STARTTLS', () => {
    const ip = [...fleet.manifest()].find((e) => e.persona === 'hidden-starttls')?.ip;
    if (ip === undefined) return expect.fail('no hidden-starttls host in the /24');
    expect(fleet.expectedFor(ip, fleet.port).outcome).toBe('starttls-stripped');
    expect(fleet.expectedFor(ip, fleet.port, { forceStartTls: false })).toMatchObject({
      outcome: 'no-starttls',
      starttls_sent: false,
    });
  });

  it('refuses addresses and ports it does not serve', () => {
    expect(() => fleet.personaOf('127.99.0.1')).toThrow(RangeError);
    expect(() => fleet.expectedFor('127.16.0.1', 1)).toThrow(RangeError);
  });
});
