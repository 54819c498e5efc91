/**
 * The Native encoder against the engine that reads it: every column type,
 * nulls, empty and huge values, hostile bytes and every word of every
 * vocabulary go in as Native blocks and come back as the record they were
 * (the oracle is the record itself, read back through SQL). Plus the byte
 * layout of strings, which the engine only checks by failing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  STRIP_EVIDENCE,
  type ScanRecord,
} from '../../src/record.js';
import { checkRecord } from '../../src/store/check-record.js';
import { NativeWriter } from '../../src/store/native-writer.js';
import { BLOCK_ROWS, ObservationBatch } from '../../src/store/observation-batch.js';
import { OBSERVATION_COLUMNS, OBSERVATION_TYPES } from '../../src/store/observation-block.js';
import { RECORD_COLUMNS } from '../../src/store/record-select.js';
import { recordTimeMs } from '../../src/store/record-time.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { STORE_KINDS, count, rows } from './helpers/test-store.js';

type Store = Parameters<typeof rows>[0];

function encode(records: readonly ScanRecord[]): Buffer {
  const batch = new ObservationBatch();
  for (const r of records) batch.add(r);
  return batch.take().body;
}

async function readBack(store: Store): Promise<Record<string, unknown>[]> {
  const out = await rows<Record<string, unknown>>(
    store,
    `SELECT ${RECORD_COLUMNS} FROM observations ORDER BY observations.ts, observations.ip`,
  );
  return out.map(sorted);
}

function sorted(r: object): Record<string, unknown> {
  const o = r as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

// Bytes the probe escapes, and some it would not: the block must not care.
const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f';
const HOSTILE = [
  CONTROL,
  `it's "quoted" \\ back\\slash \\N \\t`,
  "'); DROP TABLE observations; --",
  'ünïcødé 🙂 中文 ﷽',
  'é'.repeat(64), // 128 bytes of UTF-8 from 64 units: the length takes two bytes
  'x'.repeat(127), // the longest one-byte length
  'x'.repeat(128),
  'y'.repeat(16_383), // the longest two-byte length
  'y'.repeat(16_384),
  '中'.repeat(5_462), // 16,386 bytes: a three-byte length, room reserved for 3 bytes per unit
];

/** One record per outcome, each with other words of the other vocabularies, nulls and extremes in turn. */
function everyValue(): { records: ScanRecord[]; expected: Record<string, unknown>[] } {
  const base = syntheticRecords(1, { seed: 9 })[0] as ScanRecord;
  const records = OUTCOMES.map((outcome, i): ScanRecord => {
    const odd = i % 2 === 1;
    const s = HOSTILE[i % HOSTILE.length] ?? '';
    return {
      ...base,
      ip: ['192.0.2.1', '2001:db8::1', '::1', '0.0.0.0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'][i % 5] as string,
      port: odd ? 65_535 : 0,
      server_name: odd ? null : s,
      ts: new Date(Date.UTC(2024, 4, 1) + i * 1001).toISOString(),
      outcome,
      fingerprints: odd ? [] : [...FINGERPRINTS],
      strip_evidence: odd ? null : (STRIP_EVIDENCE[i % STRIP_EVIDENCE.length] ?? null),
      error_stage: i === 0 ? null : (ERROR_STAGES[i % ERROR_STAGES.length] ?? null),
      error: odd ? null : s,
      banner: odd ? '' : s,
      banner_code: odd ? null : 65_535,
      ehlo_code: odd ? 0 : null,
      ehlo_keywords: odd ? [] : [s, '', s],
      helo_fallback: odd,
      starttls_advertised: !odd,
      starttls_sent: odd,
      starttls_code: odd ? null : 220,
      starttls_reply: odd ? s : null,
      implicit_tls: !odd,
      tls_version: odd ? null : 'TLSv1.3',
      tls_cipher: odd ? s : null,
      tls_error: odd ? null : s,
      cert_sha256: odd ? null : 'ab'.repeat(32),
      cert_status: i === 0 ? null : (CERT_STATUSES[i % CERT_STATUSES.length] ?? null),
      cert_validity: i === 0 ? null : (CERT_VALIDITIES[i % CERT_VALIDITIES.length] ?? null),
      cert_subject: odd ? null : s,
      cert_issuer: odd ? s : null,
      cert_sans: odd ? [s] : [],
      cert_not_before: odd ? null : '0000-01-01T00:00:00.000Z',
      cert_not_after: odd ? '99999-12-31' : null,
      cert_key_type: odd ? null : 'EC',
      cert_key_bits: odd ? 4_294_967_295 : null,
      cert_chain_len: odd ? null : 0,
      cert_name_matches_banner: [null, true, false][i % 3] as boolean | null,
      cert_name_matches: [true, false, null][i % 3] as boolean | null,
      post_tls_ehlo_code: odd ? null : 250,
      post_tls_ehlo_keywords: odd ? Array.from({ length: 1_000 }, (_, k) => `K${k}`) : [],
      duration_ms: odd ? 4_294_967_295 : 0,
      transcript: odd ? '' : s,
      campaign: s,
      job: odd ? '' : s,
      vantage: 'v',
    };
  });
  return { records, expected: records.map(sorted) };
}

describe.each(STORE_KINDS)('Native observation blocks ($name)', (kind) => {
  it('round-trip every column type, nulls, empty, huge and hostile values, every vocabulary word', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const { records, expected } = everyValue();
      // A 1 MiB transcript, and a lone surrogate that UTF-8 can only carry as U+FFFD.
      const huge = {
        ...(records[2] as ScanRecord),
        ts: '2024-05-02T00:00:00.000Z',
        transcript: 'S: 🙂\n'.repeat(174_763),
      };
      const lone = { ...(records[3] as ScanRecord), ts: '2024-05-03T00:00:00.000Z', banner: 'a\uD800b\uDC00' };
      for (const r of [...records, huge, lone]) checkRecord(r);
      await store.insertObservations(encode([...records, huge, lone]), 'every-value', 'Native');
      const back = await readBack(store);
      expect(back.slice(0, records.length)).toEqual(expected);
      expect(back[records.length]).toEqual(sorted(huge));
      expect(back[records.length + 1]).toEqual(sorted({ ...lone, banner: 'a\uFFFDb\uFFFD' }));
    } finally {
      await cleanup();
    }
  });

  it('read times with a zone at their instant, and the extremes of DateTime64', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const [r] = syntheticRecords(1);
      const times = [
        ['1900-01-01T00:00:00.000Z', '1900-01-01T00:00:00.000Z'],
        ['2024-05-01T02:00:00+02:00', '2024-05-01T00:00:00.000Z'],
        ['2024-05-01T00:00:01Z', '2024-05-01T00:00:01.000Z'],
        ['2024-05-01T00:00:02.5-01:30', '2024-05-01T01:30:02.500Z'],
        ['2299-12-31T23:59:59.999Z', '2299-12-31T23:59:59.999Z'],
      ];
      const records = times.map(([ts], i) => ({ ...(r as ScanRecord), ts: ts as string, port: i }));
      for (const x of records) checkRecord(x);
      await store.insertObservations(encode(records), 'times', 'Native');
      const back = await rows<{ ts: string }>(store, `SELECT ${RECORD_COLUMNS} FROM observations ORDER BY port`);
      expect(back.map((b) => b.ts)).toEqual(times.map(([, want]) => want));
    } finally {
      await cleanup();
    }
  });

  it('a batch of several blocks arrives whole, in one insert that a replay does not repeat', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const records = syntheticRecords(2 * BLOCK_ROWS + 5, { seed: 4 });
      const body = encode(records);
      await store.insertObservations(body, 'blocks/0', 'Native');
      await store.insertObservations(body, 'blocks/0', 'Native');
      expect(await count(store, 'SELECT count() AS n FROM observations')).toBe(records.length);
      expect(await count(store, 'SELECT sum(probes) AS n FROM observations_daily')).toBe(
        records.reduce((n, r) => n + Math.max(1, r.fingerprints.length), 0),
      );
      expect(await readBack(store)).toEqual(records.map(sorted));
    } finally {
      await cleanup();
    }
  });

  it("block types are the table's column types (LowCardinality aside)", async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const columns = await rows<{ name: string; type: string }>(
        store,
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'observations'",
      );
      const tableType = new Map(columns.map((c) => [c.name, c.type.replace(/^LowCardinality\((.*)\)$/, '$1')]));
      expect(OBSERVATION_COLUMNS.map((c) => [c, tableType.get(c)])).toEqual(
        OBSERVATION_COLUMNS.map((c, i) => [c, OBSERVATION_TYPES[i]]),
      );
    } finally {
      await cleanup();
    }
  });
});

/** Reads `varint length, bytes` at `at`; checks the length is written in as few bytes as it needs. */
function readString(buf: Buffer, at: number): { text: Buffer; next: number } {
  let length = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = buf[i++] as number;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  expect(i - at).toBe(length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x20_0000 ? 3 : 4);
  return { text: buf.subarray(i, i + length), next: i + length };
}

describe('NativeWriter strings', () => {
  it("write each string as Buffer.from(s, 'utf8') with a minimal varint length, whatever it holds", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 50 })),
        ),
        (strings) => {
          const w = new NativeWriter(16);
          for (const s of strings) w.string(s);
          const bytes = w.bytes();
          let at = 0;
          for (const s of strings) {
            const { text, next } = readString(bytes, at);
            expect(text.equals(Buffer.from(s, 'utf8'))).toBe(true);
            at = next;
          }
          expect(at).toBe(bytes.length);
        },
      ),
    );
    for (const s of HOSTILE) {
      const w = new NativeWriter(16);
      w.string(s);
      expect(readString(w.bytes(), 0).text.equals(Buffer.from(s, 'utf8'))).toBe(true);
    }
  });
});

describe('record times', () => {
  it('read the probe form digit by digit exactly as Date.parse does', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2299-12-31T23:59:59Z'), noInvalidDate: true }),
        (d) => {
          expect(recordTimeMs(d.toISOString())).toBe(d.getTime());
        },
      ),
    );
    for (const odd of ['2024-02-30T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-01-01T24:00:00.000Z']) {
      expect(recordTimeMs(odd)).toBe(Date.parse(odd));
    }
  });

  it('refuse a time without a zone (local to Date.parse, UTC to ClickHouse) or not ISO 8601', () => {
    for (const bad of [
      '2024-05-01T00:00:00.000',
      '2024-05-01 00:00:00Z',
      'the day before yesterday',
      '',
      '1714521600000',
    ]) {
      expect(recordTimeMs(bad)).toBeNaN();
    }
  });
});

describe('checkRecord', () => {
  const [r] = syntheticRecords(1);
  const record = r as ScanRecord;
  const cases: [string, Partial<Record<keyof ScanRecord, unknown>>][] = [
    ['ip', { ip: 'not-an-address' }],
    ['ip', { ip: 'fe80::1%eth0' }],
    ['ts', { ts: '2024-05-01T00:00:00' }],
    ['ts', { ts: '1899-12-31T23:59:59.999Z' }],
    ['ts', { ts: '2300-01-01T00:00:00.000Z' }],
    ['port', { port: 65_536 }],
    ['banner_code', { banner_code: 70_000 }],
    ['cert_key_bits', { cert_key_bits: 2 ** 32 }],
    ['duration_ms', { duration_ms: -1 }],
    ['banner', { banner: 42 }],
    ['transcript', { transcript: null }],
    ['ehlo_keywords', { ehlo_keywords: ['ok', 7] }],
    ['cert_sans', { cert_sans: 'one' }],
    ['fingerprints', { fingerprints: ['masked-everything'] }],
    ['helo_fallback', { helo_fallback: 'yes' }],
    ['cert_name_matches', { cert_name_matches: 1 }],
    ['cert_validity', { cert_validity: 'eternal' }],
  ];
  it.each(cases)('refuses a bad %s, naming it', (field, change) => {
    expect(() => checkRecord({ ...record, ...change } as ScanRecord)).toThrow(
      expect.objectContaining({ code: 'E_BAD_RECORD', message: expect.stringContaining(` ${field} `) as string }),
    );
  });
});
