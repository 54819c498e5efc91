import { cpSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/store/index.js';
import { loadMigrations, splitStatements } from '../../src/store/migrations.js';
import { STORE_KINDS, rows } from './helpers/test-store.js';

const ALL = loadMigrations(DEFAULT_MIGRATIONS_DIR).map((m) => m.name);

describe('migration files', () => {
  it('ignores a ; inside a comment and splits at ; at line end', () => {
    expect(splitStatements('-- a; b;\nCREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory;\nSELECT 1;')).toEqual([
      'CREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory',
      'SELECT 1',
    ]);
  });
  it('refuses a statement that is not idempotent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-mig-'));
    appendFileSync(join(dir, '0001_bad.sql'), 'CREATE TABLE t (x UInt8) ENGINE = Memory;\n');
    expect(() => loadMigrations(dir)).toThrow(/0001_bad\.sql.*IF NOT EXISTS/);
    rmSync(dir, { recursive: true });
  });
});

describe.each(STORE_KINDS)('migrations ($name)', (kind) => {
  it('applies every file on a fresh store, then nothing the second time', async () => {
    const { store, cleanup } = await kind.open();
    try {
      expect((await store.migrate()).applied).toEqual(ALL);
      expect((await store.migrate()).applied).toEqual([]);
      const recorded = await rows<{ name: string }>(store, 'SELECT name FROM schema_migrations FINAL ORDER BY version');
      expect(recorded.map((r) => r.name)).toEqual(ALL);
    } finally {
      await cleanup();
    }
  });

  it('two concurrent runs leave one record per migration', async () => {
    const { store, cleanup } = await kind.open();
    try {
      await Promise.all([store.migrate(), store.migrate()]);
      const recorded = await rows<{ version: string }>(
        store,
        'SELECT version FROM schema_migrations FINAL ORDER BY version',
      );
      expect(recorded).toHaveLength(ALL.length);
    } finally {
      await cleanup();
    }
  });

  it('refuses to run when an applied file was changed, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-mig-'));
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    const { store, cleanup } = await kind.open({ migrationsDir: dir });
    try {
      await store.migrate();
      appendFileSync(join(dir, '0002_observations.sql'), '\n-- edited after the fact\n');
      const err = await store.migrate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('E_MIGRATION_CHANGED');
      expect((err as StoreError).message).toContain('0002_observations.sql');
    } finally {
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
