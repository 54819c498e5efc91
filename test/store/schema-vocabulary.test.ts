import { describe, expect, it } from 'vitest';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  STRIP_EVIDENCE,
} from '../../src/record.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { STORE_KINDS, rows } from './helpers/test-store.js';

/** The quoted words of an Enum8(...) type, in declaration order. */
function enumWords(type: string): string[] {
  return [...type.matchAll(/'((?:[^'\\]|\\.)*)' = \d+/g)].map((m) => m[1] ?? '');
}

describe.each(STORE_KINDS)('observations schema agrees with src/record.ts ($name)', (kind) => {
  it('has the record vocabularies as Enum8 and every record field as a column', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const cols = await rows<{ name: string; type: string }>(
        store,
        // ALIAS columns (migration 0009: host, is_smtp_host, …) are computed, not stored: test/store/definitions.test.ts.
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'observations' AND default_kind != 'ALIAS'",
      );
      const type = (name: string) => cols.find((c) => c.name === name)?.type ?? '';
      expect(enumWords(type('outcome'))).toEqual([...OUTCOMES]);
      expect(enumWords(type('fingerprints'))).toEqual([...FINGERPRINTS]);
      expect(enumWords(type('error_stage'))).toEqual([...ERROR_STAGES]);
      expect(enumWords(type('cert_status'))).toEqual([...CERT_STATUSES]);
      expect(enumWords(type('cert_validity'))).toEqual([...CERT_VALIDITIES]);
      expect(enumWords(type('strip_evidence'))).toEqual([...STRIP_EVIDENCE]);
      const fields = Object.keys(syntheticRecords(1)[0] ?? {}).sort();
      const extra = ['asn', 'country', 'asn_dataset', 'inserted_at'];
      expect(cols.map((c) => c.name).sort()).toEqual([...fields, ...extra].sort());
      expect(type('ip')).toBe('IPv6');
      expect(type('ts')).toBe("DateTime64(3, 'UTC')");
    } finally {
      await cleanup();
    }
  });
});
