import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { StoreError } from '../../src/errors.js';
import { createWriter, openStore } from '../../src/store/index.js';
import { findSavedQuery, listSavedQueries } from '../../src/store/saved-queries.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import { STORE_KINDS, rows } from './helpers/test-store.js';

const NOT_SMTP = new Set(['connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp']);

describe.each(STORE_KINDS)('saved queries ($name)', (kind) => {
  it('give the counts the records predict, and find hosts that lost STARTTLS', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await store.migrate();
      const before = syntheticRecords(1500, { seed: 21, campaign: 'before' });
      const after = syntheticRecords(1500, { seed: 22, campaign: 'after', start: new Date('2024-06-01T00:00:00Z') });
      const writer = createWriter(store, { batchRows: 400 });
      for (const r of [...before, ...after]) await writer.write(r);
      await writer.close();
      const run = (name: string, params: Record<string, string>) =>
        rows<Record<string, number | string>>(store, findSavedQuery(name).sql, params);

      const smtp = after.filter((r) => !NOT_SMTP.has(r.outcome));
      const adoption = (await run('starttls-adoption', { campaign: 'after' }))[0];
      expect(adoption).toMatchObject({
        smtp_hosts: smtp.length,
        advertised: smtp.filter((r) => r.starttls_advertised).length,
        tls_ok: smtp.filter((r) => r.outcome === 'tls-ok').length,
      });
      const byDay = await run('stripping-by-day', { campaign: 'after' });
      expect(byDay).toHaveLength(1);
      expect(byDay[0]?.stripped_hosts).toBe(after.filter((r) => r.outcome === 'starttls-stripped').length);

      const okBefore = new Set(before.filter((r) => r.outcome === 'tls-ok').map((r) => r.ip));
      const lost = after.filter((r: ScanRecord) => okBefore.has(r.ip) && r.outcome !== 'tls-ok').map((r) => r.ip);
      const got = await run('starttls-lost', { before: 'before', after: 'after' });
      expect(got.map((r) => r.host).sort()).toEqual(lost.sort());
      expect(lost.length).toBeGreaterThan(50);
      for (const q of listSavedQueries()) {
        const params = Object.fromEntries(q.params.map((p) => [p, p === 'before' ? 'before' : 'after']));
        await expect(run(q.name, params)).resolves.toBeInstanceOf(Array);
      }
    } finally {
      await cleanup();
    }
  });
});

describe('embedded data directory ownership', () => {
  it('refuses with a StoreError when another process holds the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stripscan-locked-'));
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { openStore } = await import(${JSON.stringify(new URL('../../src/store/index.ts', import.meta.url).href)}); const s = await openStore({ dataDir: ${JSON.stringify(dataDir)} }); await s.migrate(); console.log('ready'); setTimeout(() => s.close(), 20000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const err = await openStore({ dataDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('E_STORE_LOCKED');
      expect((err as StoreError).message).toContain(dataDir);
    } finally {
      holder.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
