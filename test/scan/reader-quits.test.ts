/**
 * `stripscan scan … --jsonl - | head -n 3`, two real processes on a real
 * pipe: when head quits, the scan stops taking addresses, lets the probes in
 * flight finish, stores every record it probed, prints its summary on stderr
 * and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/index.js';
import { cliIntoHead } from '../helpers/pipe-to-head.js';
import { runCli } from '../helpers/run-cli.js';

const RANGE = '127.16.2.0/24';
let fleet: Fleet;
let dir: string;

beforeAll(async () => {
  fleet = await startFleet({ range: RANGE, limits: { idleMs: 2_000 } });
  dir = mkdtempSync(join(tmpdir(), 'stripscan-reader-quits-'));
});

afterAll(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a reader that quits', () => {
  it('ends the scan cleanly: summary on stderr, exit 0, every probed record stored, the rest not probed', async () => {
    const dataDir = join(dir, 'data');
    const r = await cliIntoHead(
      [
        'scan',
        RANGE,
        '--allow-reserved',
        '--port',
        String(fleet.port),
        '--campaign',
        'piped',
        '--data-dir',
        dataDir,
        '--jsonl',
        '-',
        '--concurrency',
        '4',
        '--rate',
        '0',
        '--timeout',
        '1500',
      ],
      3,
    );
    expect(
      r.head
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { campaign: string }),
    ).toHaveLength(3);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const summary = /scanned (\d+) targets in [\d.]+ s \(\d+\/s\); (\d+) responsive/.exec(r.stderr);
    expect(summary, r.stderr).not.toBeNull();
    const attempted = Number(summary?.[1]);
    const responsive = Number(summary?.[2]);
    // Stopped well before the end of the /24: at most the lines head read, what the pipe held and 4 in flight.
    expect(attempted).toBeLessThan(256);
    expect(r.stderr).toMatch(/stopped early: the reader of the JSON lines quit/);

    const stored = await runCli([
      'query',
      '--data-dir',
      dataDir,
      '--format',
      'json',
      "SELECT (SELECT count() FROM observations WHERE campaign = 'piped') AS rows, (SELECT sum(attempted) FROM job_stats WHERE campaign = 'piped') AS attempted",
    ]);
    expect(stored.stderr).toBe('');
    expect(JSON.parse(stored.stdout)).toEqual({ rows: responsive, attempted });
  });
});
