/**
 * `stripscan scan --procs N`: one seeded plan shared by N processes through
 * the real binary. Every address of the fleet is probed exactly once and its
 * record is the one the fleet's manifest predicts (written from the RFCs, not
 * from the classifier); a process that dies is reported, not silent.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { startFleetProcess, type FleetProcess } from '../../src/sim/fleet-process.js';
import type { ManifestEntry } from '../../src/sim/index.js';
import { BIN, runCli } from '../helpers/run-cli.js';

const RANGE = '127.17.0.0/22';
const FIELDS = ['outcome', 'fingerprints', 'strip_evidence', 'error_stage'] as const;

let fleet: FleetProcess;
let manifest: ManifestEntry[];
let dir: string;

beforeAll(async () => {
  // The fleet in its own process, as `stripscan sim` and the demo run it: a
  // fleet inside this busy test process would itself be slow to answer under
  // load. The scan keeps the default step deadline (10 s), as the demo does:
  // the dripping persona must finish its banner within it even on a loaded machine.
  fleet = await startFleetProcess({ range: RANGE, mix: 'even', seed: 1 });
  manifest = readFileSync(fleet.manifestFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ManifestEntry)
    .filter((e) => e.port === fleet.port);
  dir = mkdtempSync(join(tmpdir(), 'stripscan-procs-'));
  writeFileSync(join(dir, 'ca.pem'), fleet.caPem);
}, 120_000);

afterAll(async () => {
  await fleet.stop();
});

function scanArgs(out: string, extra: string[]): string[] {
  return [
    'scan',
    RANGE,
    '--port',
    String(fleet.port),
    '--allow-reserved',
    '--no-store',
    '--no-progress',
    '--jsonl',
    out,
    '--ca-file',
    join(dir, 'ca.pem'),
    '--seed',
    '11',
    ...extra,
  ];
}

function readRecords(file: string): ScanRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ScanRecord);
}

describe('scan --procs', () => {
  it('probes every address once, across three processes, with the manifest’s records', async () => {
    const out = join(dir, 'three.jsonl');
    const run = await runCli(scanArgs(out, ['--procs', '3', '--rate', '0', '--concurrency', '300']), {
      timeoutMs: 90_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('scanning with 3 processes');
    const records = readRecords(out);
    const byIp = new Map<string, ScanRecord[]>();
    for (const r of records) byIp.set(r.ip, [...(byIp.get(r.ip) ?? []), r]);
    expect(byIp.size).toBe(manifest.length);
    expect(records.length).toBe(manifest.length);
    const mismatches: string[] = [];
    for (const entry of manifest) {
      const got = byIp.get(entry.ip)?.[0];
      const want = Object.fromEntries(FIELDS.map((f) => [f, entry.expect[f] ?? null]));
      const seen = got === undefined ? null : Object.fromEntries(FIELDS.map((f) => [f, got[f] ?? null]));
      if (JSON.stringify(seen) !== JSON.stringify(want)) {
        mismatches.push(`${entry.ip} ${entry.persona}: want ${JSON.stringify(want)} got ${JSON.stringify(seen)}`);
      }
    }
    expect(mismatches).toEqual([]);
    // One summary for the whole scan, counting every address.
    expect(run.stderr).toMatch(new RegExp(`scanned ${manifest.length} targets`));
  }, 120_000);

  it('reports a scan process that dies, after the summary, and exits 1 without duplicating any address', async () => {
    const out = join(dir, 'crash.jsonl');
    // Paced so that the scan is still running when one of its processes is killed.
    const child = spawn(process.execPath, [BIN, ...scanArgs(out, ['--procs', '2', '--rate', '150'])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const parts = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(parts.length).toBe(2);
    process.kill(Number(parts[0]), 'SIGKILL');
    const code = await exited;
    expect(code, stderr).toBe(1);
    const crash =
      /scan process [12] of 2 ended early \(killed by SIGKILL\): it had been given (\d+) plan positions and sent back (\d+) records.*?(?:; (\d+) positions of its share were left|; the others took the rest)/.exec(
        stderr,
      );
    expect(crash, stderr).not.toBeNull();
    expect(stderr).toMatch(/scanned \d+ targets/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const ips = readRecords(out).map((r) => r.ip);
    expect(new Set(ips).size).toBe(ips.length);
    // The other process went on to the end of the plan: every address but those the dead one held is here.
    const [given, sent, left] = [Number(crash?.[1]), Number(crash?.[2]), Number(crash?.[3] ?? 0)];
    expect(ips.length).toBeGreaterThanOrEqual(manifest.length - given + sent - left);
    // Killed early in a paced scan, the survivor was still running and took the dead one's share.
    expect(left).toBe(0);
  }, 120_000);
});
