/**
 * A ClickHouse that cannot be reached, or that goes away, through the real
 * CLI: every one-shot store command names the outage in one line and exits 3
 * within the service timeout; a query ClickHouse refuses is one line and exit
 * 1; a scan whose server starts dropping connections after the campaign began
 * finishes with its summary, spools rows, job_stats and the campaign's end,
 * and a later replay loads them exactly once.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFleet } from '../../src/sim/index.js';
import { DEFAULT_MIGRATIONS_DIR, openStore } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migrations.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { startClickHouseStandIn } from '../helpers/clickhouse-standin.js';
import { closedPort } from '../helpers/free-port.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { count, rows } from './helpers/test-store.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-outage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** stderr is exactly the one line expected, and nothing of a stack or of the client's own logging. */
function expectOneLine(r: CliResult, line: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |@clickhouse\/client/);
}

async function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const r = await runCli(args, { env, timeoutMs: 60_000 });
  return { ...r, ms: Date.now() - started };
}

/** The one-shot commands that need ClickHouse, with what each needs besides the store. */
function oneShotCommands(): [string, string[]][] {
  return [
    ['query', ['query', 'SELECT 1']],
    ['export', ['export', '--campaign', 'c', join(dir, 'out.jsonl')]],
    ['report', ['report', '--campaign', 'c', '--html', join(dir, 'r.html')]],
    ['migrate', ['migrate']],
    ['store replay', ['store', 'replay', '--spool-dir', join(dir, 'no-spool')]],
    // --seed: a scan otherwise prints the seed it drew, on a line of its own.
    ['scan', ['scan', '127.0.0.1', '--allow-reserved', '--seed', '1', '--ehlo-name', 'scan.example.org']],
  ];
}

describe('ClickHouse unreachable: one line, exit 3, bounded time', () => {
  it.each(oneShotCommands())('%s against a closed port', async (_name, args) => {
    const port = await closedPort();
    const r = await timed([...args, '--clickhouse', `http://127.0.0.1:${port}/default`]);
    expectOneLine(
      r,
      new RegExp(`^stripscan: cannot reach ClickHouse at http://127\\.0\\.0\\.1:${port}/default \\(ECONNREFUSED\\)$`),
    );
    expect(r.code).toBe(3);
    // Process start included; a refused connection is answered at once.
    expect(r.ms).toBeLessThan(15_000);
  });

  it('a server that never answers: exit 3 after --service-timeout, or STRIPSCAN_SERVICE_TIMEOUT', async () => {
    const hole = await startBlackhole();
    try {
      const url = `http://127.0.0.1:${hole.port}/default`;
      const flag = await timed(['query', 'SELECT 1', '--clickhouse', url, '--service-timeout', '1500']);
      expectOneLine(flag, /^stripscan: cannot reach ClickHouse at .* \(no answer within 1500 ms\)$/);
      expect(flag.code).toBe(3);
      const env = await timed(['migrate', '--clickhouse', url], { STRIPSCAN_SERVICE_TIMEOUT: '1200' });
      expectOneLine(env, /\(no answer within 1200 ms\)$/);
      expect(env.code).toBe(3);
      // The start-up of the CLI differs between the two runs; the timeout is the difference that matters.
      expect(flag.ms).toBeGreaterThanOrEqual(1500);
      expect(flag.ms).toBeLessThan(15_000);
    } finally {
      await hole.close();
    }
  });

  it('a bad --service-timeout is bad input (exit 2, naming the value)', async () => {
    const r = await timed(['query', 'SELECT 1', '--service-timeout', '0', '--clickhouse', 'http://127.0.0.1:1/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--service-timeout "0": expected a whole number/);
  });
});

describe('ClickHouse refusing or dropping', () => {
  it('a query ClickHouse refuses: its own message on one line, exit 1', async () => {
    expect((await timed(['migrate', '--data-dir', join(dir, 'refuse-data')])).code).toBe(0);
    const r = await timed(['query', 'SELEC 1', '--data-dir', join(dir, 'refuse-data')]);
    expectOneLine(r, /^stripscan: ClickHouse at .*refuse-data refused the query: Syntax error.*\[E_QUERY_REFUSED\]$/);
    expect(r.code).toBe(1);
  });

  it('a server that answers the schema check and then drops the query: exit 3, one line; the query sent as written, read-only, nothing migrated', async () => {
    const standIn = await startClickHouseStandIn();
    try {
      const dropped: { sql: string; params: URLSearchParams }[] = [];
      standIn.reply = (req) => {
        if (req.sql.startsWith('EXISTS TABLE schema_migrations')) return '{"result":1}\n';
        if (req.sql.startsWith('SELECT DISTINCT version FROM schema_migrations')) {
          return loadMigrations(DEFAULT_MIGRATIONS_DIR)
            .map((m) => `{"version":"${m.version}"}\n`)
            .join('');
        }
        return undefined;
      };
      standIn.drop = (req) => {
        if (!req.sql.startsWith('SELECT 42')) return false;
        dropped.push({ sql: req.sql, params: req.params });
        return true;
      };
      const r = await timed(['query', 'SELECT 42', '--clickhouse', standIn.url]);
      expectOneLine(r, /^stripscan: cannot reach ClickHouse at http:\/\/127\.0\.0\.1:\d+\/default \(ECONNRESET\)$/);
      expect(r.code).toBe(3);
      expect(standIn.dropped).toBe(1);
      // The official client sent the SQL untouched, the format and readonly = 2 as settings.
      expect(dropped[0]?.sql).toBe('SELECT 42');
      expect(dropped[0]?.params.get('default_format')).toBe('JSONEachRow');
      expect(dropped[0]?.params.get('readonly')).toBe('2');
      expect(standIn.answered.every((a) => a.params.get('readonly') === '2' || a.path === '/ping')).toBe(true);
      expect(standIn.answered.some((a) => /^(CREATE|INSERT)/.test(a.sql))).toBe(false);
    } finally {
      await standIn.close();
    }
  });

  it('a scan whose server drops connections after the campaign started: summary, spool, and one exact replay', async () => {
    const standIn = await startClickHouseStandIn();
    const fleet = await startFleet({ range: '127.16.12.0/25', port: 0, mix: 'even' });
    const spoolDir = join(dir, 'scan-spool');
    const jsonl = join(dir, 'scan.jsonl');
    try {
      let started = false;
      // The migrations and the campaign's first row go through; every request after it is dropped.
      standIn.drop = (req) => {
        if (started) return true;
        started = req.sql.startsWith('INSERT INTO campaigns');
        return false;
      };
      const caFile = join(dir, 'fleet-ca.pem');
      writeFileSync(caFile, fleet.caPem);
      const scan = await timed([
        'scan',
        '127.16.12.0/25',
        '--allow-reserved',
        '--port',
        String(fleet.port),
        '--ca-file',
        caFile,
        '--seed',
        '7',
        '--timeout',
        '3000',
        '--ehlo-name',
        'scan.example.org',
        '--campaign',
        'dropped',
        '--jsonl',
        jsonl,
        '--no-progress',
        '--clickhouse',
        standIn.url,
        '--spool-dir',
        spoolDir,
      ]);
      expect(scan.code, scan.stderr).toBe(0);
      expect(scan.stderr).toMatch(/^scanned 128 targets in /m);
      expect(scan.stderr).not.toMatch(/internal error|\n\s+at /);
      const records = readFileSync(jsonl, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: string });
      const responsive = records.filter((r) => !r.outcome.startsWith('connect-')).length;
      expect(responsive).toBeGreaterThan(100);
      const warning = scan.stderr.split('\n').filter((l) => l.includes('warning'));
      expect(warning).toEqual([
        `stripscan: warning: ${responsive} observations rows, 1 job_stats row, 1 campaigns row wait in ${spoolDir} (cannot reach ClickHouse at ${standIn.url} (ECONNRESET)); load them with \`stripscan store replay\` once the store is back (the next scan also does)`,
      ]);
      expect(standIn.dropped).toBeGreaterThanOrEqual(1);

      // The server is back: here an embedded store stands for it. A copy of every file replays a second time.
      const copies = join(dir, 'scan-spool-copy');
      mkdirSync(copies);
      const files = readdirSync(spoolDir).filter((n) => n.endsWith('.spool'));
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) copyFileSync(join(spoolDir, f), join(copies, f));
      const dataDir = join(dir, 'replayed-data');
      const first = await timed(['store', 'replay', '--data-dir', dataDir, '--spool-dir', spoolDir]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(
        new RegExp(`^replayed ${files.length} spooled batches, ${responsive + 2} rows, from `),
      );
      expect(readdirSync(spoolDir).filter((n) => n.endsWith('.spool'))).toEqual([]);
      const again = await timed(['store', 'replay', '--data-dir', dataDir, '--spool-dir', spoolDir]);
      expect(again.stdout).toMatch(/^replayed 0 spooled batches, 0 rows/);
      const twice = await timed(['store', 'replay', '--data-dir', dataDir, '--spool-dir', copies]);
      expect(twice.stdout).toMatch(new RegExp(`^replayed ${files.length} spooled batches`));

      const store = await openStore({ dataDir });
      try {
        expect(await count(store, "SELECT count() AS n FROM observations WHERE campaign = 'dropped'")).toBe(responsive);
        expect(await count(store, "SELECT uniqExact(ip) AS n FROM observations WHERE campaign = 'dropped'")).toBe(
          responsive,
        );
        const jobs = await rows<{ attempted: number; responsive: number }>(
          store,
          "SELECT attempted, responsive FROM job_stats FINAL WHERE campaign = 'dropped'",
        );
        expect(jobs.map((j) => [Number(j.attempted), Number(j.responsive)])).toEqual([[128, responsive]]);
        const campaign = await rows<{ state: string; ended: number; attempted: number }>(
          store,
          "SELECT state, ended_at IS NOT NULL AS ended, attempted FROM campaigns FINAL WHERE campaign = 'dropped'",
        );
        expect(campaign.map((c) => [c.state, Number(c.ended), Number(c.attempted)])).toEqual([['done', 1, 128]]);
      } finally {
        await store.close();
      }
    } finally {
      await fleet.close();
      await standIn.close();
    }
  }, 180_000);
});
