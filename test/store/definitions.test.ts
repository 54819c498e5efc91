/**
 * The shared definitions of migration 0009 (docs/schema.md, "Definitions"): ALIAS columns on
 * observations, the daily rollup, host_latest and domain_policies. Their outcome list is
 * SMTP_OUTCOMES of src/record.ts, word for word, and they read as the docs say on rows
 * written by the real writer, rows stored before the migration included (ALIAS is computed).
 */
import { describe, expect, it } from 'vitest';
import { SMTP_OUTCOMES, type ScanRecord } from '../../src/record.js';
import { createWriter } from '../../src/store/index.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { STORE_KINDS, rows } from './helpers/test-store.js';

const quoted = (words: readonly string[]): string => words.map((w) => `'${w}'`).join(', ');

describe.each(STORE_KINDS)('shared definitions ($name)', (kind) => {
  it('are ALIAS columns whose outcome list is SMTP_OUTCOMES, on every table that counts hosts', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const cols = await rows<{ table: string; name: string; default_kind: string; default_expression: string }>(
        store,
        `SELECT table, name, default_kind, default_expression FROM system.columns
         WHERE database = currentDatabase() AND name IN ('host', 'is_smtp_host', 'is_tls_host', 'is_stripped')
           -- Views pass the tables' columns through (vantage_comparison's host is observations' ALIAS).
           AND table IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine != 'View')
         ORDER BY table, name`,
      );
      const by = (table: string, name: string) => cols.find((c) => c.table === table && c.name === name);
      for (const table of ['observations', 'observations_daily', 'host_latest']) {
        expect(by(table, 'is_smtp_host')?.default_expression, table).toBe(`outcome IN (${quoted(SMTP_OUTCOMES)})`);
        expect(by(table, 'is_stripped')?.default_expression, table).toBe("outcome = 'starttls-stripped'");
      }
      for (const table of ['observations', 'host_latest']) {
        expect(by(table, 'is_tls_host')?.default_expression, table).toBe('is_smtp_host AND (tls_version IS NOT NULL)');
      }
      // The rollup keeps no TLS facts: TLS-host figures must read observations.
      expect(by('observations_daily', 'is_tls_host')).toBeUndefined();
      for (const table of ['observations', 'host_latest', 'domain_policies'])
        expect(by(table, 'host'), table).toBeDefined();
      expect(new Set(cols.map((c) => c.default_kind))).toEqual(new Set(['ALIAS']));
    } finally {
      await cleanup();
    }
  });

  it('read as documented on stored rows: dotted quads, SMTP/TLS/stripped from outcome and handshake', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const base = syntheticRecords(1)[0] as ScanRecord;
      const record = (ip: string, outcome: ScanRecord['outcome'], tls: string | null): ScanRecord => ({
        ...base,
        ip,
        outcome,
        strip_evidence: outcome === 'starttls-stripped' ? 'direct' : null,
        tls_version: tls,
        campaign: 'defs',
      });
      const writer = createWriter(store, { replaySpoolOnStart: false });
      for (const r of [
        record('127.16.0.5', 'tls-ok', 'TLSv1.3'),
        record('127.16.0.6', 'starttls-stripped', 'TLSv1.2'), // hidden STARTTLS, accepted when forced
        record('127.16.0.7', 'starttls-stripped', null),
        record('127.16.0.8', 'no-banner', 'TLSv1.3'), // implicit TLS, then no banner: not an SMTP host
        record('2001:db8::25', 'no-starttls', null),
      ])
        await writer.write(r);
      await writer.close();
      const got = await rows<{ host: string; s: boolean; t: boolean; x: boolean }>(
        store,
        "SELECT host, is_smtp_host AS s, is_tls_host AS t, is_stripped AS x FROM observations WHERE campaign = 'defs' ORDER BY ip",
      );
      expect(got.map((r) => [r.host, Boolean(r.s), Boolean(r.t), Boolean(r.x)])).toEqual([
        ['127.16.0.5', true, true, false],
        ['127.16.0.6', true, true, true],
        ['127.16.0.7', true, false, true],
        ['127.16.0.8', false, false, false],
        // IPv4-mapped addresses (::ffff:…) sort before 2001:db8::/32.
        ['2001:db8::25', true, false, false],
      ]);
      const latest = await rows<{ host: string }>(
        store,
        "SELECT host FROM host_latest FINAL WHERE host = '127.16.0.5'",
      );
      expect(latest).toEqual([{ host: '127.16.0.5' }]);
    } finally {
      await cleanup();
    }
  });
});
