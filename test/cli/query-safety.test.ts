/**
 * `stripscan query` through the real CLI against embedded chDB: read-only
 * unless --write, exactly one statement, ClickHouse's own words with
 * positions in the user's SQL, no migration, and a reader that quits.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIntoHead } from '../helpers/pipe-to-head.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let dataDir: string;
const query = (args: string[]) => runCli(['query', '--data-dir', dataDir, ...args], { timeoutMs: 60_000 });

/** One line on stderr, naming no internal error and carrying no stack. */
function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-query-'));
  dataDir = join(dir, 'data');
  expect((await runCli(['migrate', '--data-dir', dataDir], { timeoutMs: 60_000 })).code).toBe(0);
  const insert = await query([
    '--write',
    "INSERT INTO campaigns (campaign, params, seed, ehlo_name, contact, started_at) VALUES ('c1', '{}', '1', 'scan.example.org', '', now64(3))",
  ]);
  expect(insert.stderr).toBe('');
  expect(insert.code).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stripscan query', () => {
  it('is read-only: a DROP is refused with ClickHouse words and a hint, and the table is still there', async () => {
    const drop = await query(['DROP TABLE observations']);
    expect(drop.code).toBe(1);
    expectOneLine(drop.stderr);
    expect(drop.stderr).toMatch(/ClickHouse at .* refused the query: .*Cannot execute query in readonly mode.*--write/);
    expect(drop.stdout).toBe('');
    const count = await query(['--format', 'json', 'SELECT count() AS n FROM observations']);
    expect(count.code).toBe(0);
    expect(JSON.parse(count.stdout)).toEqual({ n: 0 });
    const migrate = await runCli(['migrate', '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(migrate.stdout).toMatch(/up to date/);
  });

  it('--write allows changes', async () => {
    const create = await query(['--write', 'CREATE TABLE scratch (x UInt8) ENGINE = Memory']);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    expect((await query(['--write', 'DROP TABLE scratch'])).code).toBe(0);
  });

  it('refuses several statements before sending any, exit 2, and accepts one with a ; inside a string or after it', async () => {
    const two = await query(['SELECT 1; DROP TABLE campaigns']);
    expect(two.code).toBe(2);
    expectOneLine(two.stderr);
    expect(two.stderr).toMatch(/more than one statement.*position 11: DROP TABLE campaigns/);
    expect(two.stdout).toBe('');
    const one = await query(['--format', 'csv', "SELECT 'a;b' AS s; -- done"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('"s"\n"a;b"\n');
    const campaigns = await query(['--format', 'json', 'SELECT campaign FROM campaigns']);
    expect(campaigns.stdout).toBe('{"campaign":"c1"}\n');
  });

  it('shows a syntax error in one line with the position in the SQL as written, no FORMAT suffix counted', async () => {
    const end = await query(['SELECT 1 +']);
    expect(end.code).toBe(1);
    expectOneLine(end.stderr);
    // The SQL is 10 bytes long: ClickHouse's position 11 is its end, and nothing was appended to it.
    expect(end.stderr).toMatch(/Syntax error: failed at position 11 \(end of query\)/);
    expect(end.stderr).not.toMatch(/FORMAT|JSONEachRow/);

    const sql = '\n  SELEC 1';
    const indented = await query([sql]);
    expect(indented.code).toBe(1);
    expectOneLine(indented.stderr);
    expect(indented.stderr).toContain(`failed at position ${sql.lastIndexOf('1') + 1} (line 2, col 9)`);
  });

  it('names an unknown column in ClickHouse words, exit 1', async () => {
    const r = await query(['SELECT no_such_column FROM observations']);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/ClickHouse at .* refused the query: .*no_such_column/);
  });

  it('never migrates: an empty store is named with the command that creates the schema, and stays empty', async () => {
    const empty = join(dir, 'empty');
    const missing = await query(['--data-dir', empty, 'SELECT 1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no store there.*stripscan migrate/);
    expect(existsSync(empty)).toBe(false);

    // A folder that exists but holds no schema: asked twice, because the first ask must not have created one.
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['query', '--data-dir', fresh, 'SELECT count() FROM observations']);
      expect(r.code).toBe(2);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/no stripscan schema in this store.*stripscan migrate/);
    }
  });

  it('warns about migrations the store lacks, and still answers', async () => {
    expect((await query(['--write', "DELETE FROM schema_migrations WHERE version = '0005'"])).code).toBe(0);
    const r = await query(['--format', 'json', 'SELECT count() AS n FROM campaigns']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"n":1}\n');
    expect(r.stderr).toMatch(/^stripscan: warning: this store lacks migrations 0005_evidence\.sql .*stripscan migrate/);
    expect((await runCli(['migrate', '--data-dir', dataDir], { timeoutMs: 60_000 })).code).toBe(0);
    expect((await query(['SELECT 1'])).stderr).toBe('');
  });

  it('runs a saved query with parameters', async () => {
    const r = await query(['--saved', 'starttls-adoption', '--param', 'campaign=c1', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('ends quietly with exit 0 when its reader quits (query … | head -n 2, a real pipe)', async () => {
    const r = await cliIntoHead(
      ['query', '--data-dir', dataDir, '--format', 'tsv', 'SELECT number FROM numbers(300000)'],
      2,
    );
    expect(r.head).toBe('number\n0\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
