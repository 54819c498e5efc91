/**
 * The writer's pure parts: what counts as a storable entry, and what becomes
 * of an entry after a try. The whole writer runs in writer-faults.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExactScanRecord, ScanRecordSchema } from '../../src/queue/writer/record-schema.js';
import { parseResultEntry } from '../../src/queue/writer/result-entry.js';
import { settle, type EntryOutcome } from '../../src/queue/writer/settle.js';
import { parseReadGroup } from '../../src/queue/writer/stream-replies.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';

const STATS = {
  campaign: 'c',
  job: 'c-chunk-1',
  vantage: 'v',
  attempted: 2,
  responsive: 2,
  connect_timeouts: 0,
  outcome_counts: { 'tls-ok': 2 },
  started_at: '2024-05-01T00:00:00.000Z',
  finished_at: '2024-05-01T00:00:01.000Z',
};

function chunk(records: unknown, extra: Record<string, string> = {}): Map<string, string> {
  return new Map(
    Object.entries({
      kind: 'chunk',
      campaign: 'c',
      job: 'c-chunk-1',
      stats: JSON.stringify(STATS),
      records: JSON.stringify(records),
      ...extra,
    }),
  );
}

const record = syntheticRecords(1, { campaign: 'c', job: 'c-chunk-1' })[0];

describe('a result entry, checked', () => {
  it('takes a chunk of well-formed records', () => {
    const parsed = parseResultEntry(chunk([record, record]));
    expect(parsed.ok && parsed.entry.kind === 'chunk' && parsed.entry.records.length).toBe(2);
  });

  it.each<[string, Map<string, string>, RegExp]>([
    [
      'a record field it does not know',
      chunk([{ ...record, tls_grade: 'A' }]),
      /^invalid entry: records\.0: Unrecognized key: "tls_grade"/,
    ],
    [
      'a record field missing',
      chunk([{ ...record, transcript: undefined }]),
      /^invalid entry: records\.0\.transcript: /,
    ],
    [
      'an outcome it does not know',
      chunk([{ ...record, outcome: 'starttls-downgraded' }]),
      /^invalid entry: records\.0\.outcome: /,
    ],
    [
      'a fingerprint it does not know',
      chunk([{ ...record, fingerprints: ['x'] }]),
      /^invalid entry: records\.0\.fingerprints\.0: /,
    ],
    ['a negative port', chunk([{ ...record, port: -1 }]), /^invalid entry: records\.0\.port: /],
    ['records that are not JSON', new Map([...chunk([]), ['records', '[{']]), /^invalid entry: records: not JSON$/],
    ['an entry field it does not know', chunk([record], { shard: '3' }), /^invalid entry: Unrecognized key: "shard"$/],
    ['a kind it does not know', new Map([['kind', 'chunk-v2']]), /^invalid entry: kind: /],
    [
      'job statistics with a field it does not know',
      chunk([record], { stats: JSON.stringify({ ...STATS, x: 1 }) }),
      /^invalid entry: stats: Unrecognized key: "x"/,
    ],
  ])('refuses %s, saying where', (_name, fields, reason) => {
    const parsed = parseResultEntry(fields);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });

  it('takes a campaign-end with fields it does not need (a newer queue sends the state)', () => {
    const parsed = parseResultEntry(
      new Map(Object.entries({ kind: 'campaign-end', campaign: 'c', state: 'done-with-failures', endedAt: 'x' })),
    );
    expect(parsed.ok && parsed.entry.kind).toBe('campaign-end');
  });

  it('takes job statistics with the overload guard time', () => {
    expect(parseResultEntry(chunk([record], { stats: JSON.stringify({ ...STATS, held_ms: 40 }) })).ok).toBe(true);
  });
});

describe('the fast record check', () => {
  const records = syntheticRecords(200, { campaign: 'c', job: 'c-chunk-1', seed: 7 });
  const fields = Object.keys(records[0] ?? {});
  // Values that sit at the edges of the fields' types, and values of other fields (right type, wrong place).
  const edges = [null, true, false, 0, -0, -1, 1.5, 65535, 65536, 2 ** 53, '', 'x', 'tls-ok', 'valid', [], ['x'], {}];
  const value = fc.oneof(
    fc.constantFrom(...edges),
    fc.constantFrom(...records.flatMap((r) => Object.values(r) as unknown[])),
    fc.jsonValue(),
  );
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...fields), value }),
    fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...fields) }),
    fc.record({ kind: fc.constant('add' as const), field: fc.oneof(fc.string(), fc.constant('__proto__')), value }),
  );

  it('says what the schema says, for well-formed records and for records with fields changed, dropped or added', () => {
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.array(mutation, { maxLength: 3 }), (i, changes) => {
        const changed: Record<string, unknown> = { ...records[i] };
        for (const c of changes) {
          if (c.kind === 'drop') delete changed[c.field];
          else
            Object.defineProperty(changed, c.field, {
              value: c.value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        // As the writer gets it: out of JSON text.
        const candidate: unknown = JSON.parse(JSON.stringify(changed));
        const parsed = ScanRecordSchema.safeParse(candidate);
        expect(isExactScanRecord(candidate)).toBe(parsed.success);
        if (parsed.success) expect(parsed.data).toEqual(candidate);
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes every well-formed record', () => {
    for (const r of records) expect(isExactScanRecord(JSON.parse(JSON.stringify(r)))).toBe(true);
  });
});

describe('settling an entry', () => {
  const cases: [EntryOutcome, number, string][] = [
    [{ kind: 'stored' }, 1, 'acknowledge'],
    [{ kind: 'stored' }, 9, 'acknowledge'],
    [{ kind: 'invalid', reason: 'r' }, 1, 'dead-letter'],
    [{ kind: 'refused', reason: 'r' }, 4, 'keep'],
    [{ kind: 'refused', reason: 'r' }, 5, 'dead-letter'],
    [{ kind: 'not-stored', reason: 'r' }, 50, 'keep'],
  ];
  it.each(cases)('%o at delivery %d of 5: %s', (outcome, deliveries, action) => {
    expect(settle(outcome, deliveries, 5).action).toBe(action);
  });
});

describe('XREADGROUP replies', () => {
  const entries = [
    ['1-0', ['kind', 'chunk']],
    ['2-0', null],
  ];
  it('reads RESP3 (ioredis 6: a flattened map) and RESP2 (a list of pairs) alike; a deleted entry is skipped', () => {
    const expected = [{ id: '1-0', fields: new Map([['kind', 'chunk']]) }];
    expect(parseReadGroup(['s', entries])).toEqual(expected);
    expect(parseReadGroup([['s', entries]])).toEqual(expected);
    expect(parseReadGroup(null)).toEqual([]);
  });
  it('refuses any other shape', () => {
    expect(() => parseReadGroup({ s: entries })).toThrow();
  });
});
