/**
 * `stripscan sim` over a range too large for one process: with the open
 * files limit lowered to 1,300 (522 listeners per process), a /22 on two
 * ports is served by four processes, one CA and one manifest for all, and a
 * scanner trusting that CA finds valid certificates in every part. Node
 * raises its soft limit to the hard one when it starts, so both are lowered.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/run-cli.js';

const RANGE = '127.16.8.0/22';
let dir: string;

interface Sim {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: string;
  stderr: string;
}

/** `stripscan sim ARGS` under `ulimit -n 1300`, resolved once it has said where it listens. */
async function startSim(args: string[]): Promise<Sim> {
  const child = spawn('bash', ['-c', 'ulimit -n 1300 && exec "$@"', 'bash', process.execPath, BIN, 'sim', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sim: Sim = {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    stdout: '',
    stderr: '',
  };
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (sim.stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sim did not start: ${sim.stderr}`)), 90_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      sim.stdout += d;
      if (sim.stdout.includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return sim;
}

function partPids(sim: Sim): number[] {
  const out = execFileSync('ps', ['--ppid', String(sim.child.pid), '-o', 'pid='], { encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split(/\s+/).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let sim: Sim;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-split-'));
  sim = await startSim([
    '--range',
    RANGE,
    '--port',
    '0',
    '--implicit-tls-port',
    '0',
    '--mix',
    'realistic',
    '--ca-out',
    join(dir, 'ca.pem'),
    '--manifest',
    join(dir, 'manifest.jsonl'),
  ]);
}, 120_000);

afterAll(() => {
  if (sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a fleet split over processes', () => {
  it('serves every part on the same two ports with one CA, one manifest, and ends with its parts', async () => {
    const m =
      /listening on 127\.16\.8\.0\/22 port (\d+), implicit TLS on port (\d+): 1024 hosts, .*, 4 processes\n/.exec(
        sim.stdout,
      );
    expect(m, sim.stdout + sim.stderr).not.toBeNull();
    const [port, implicitPort] = [Number(m?.[1]), Number(m?.[2])];
    const parts = partPids(sim);
    expect(parts).toHaveLength(4);

    const manifest = readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ip: string; port: number; persona: string });
    expect(manifest).toHaveLength(2048);
    // In each part (a /24 each), the first host that serves a certificate from the sim CA.
    const targets = ['127.16.8.', '127.16.9.', '127.16.10.', '127.16.11.'].map(
      (prefix) =>
        manifest.find((e) => e.ip.startsWith(prefix) && e.port === port && e.persona === 'postfix-tls-ok')?.ip,
    );
    expect(targets.every((ip) => ip !== undefined)).toBe(true);
    for (const [p, implicit] of [
      [port, false],
      [implicitPort, true],
    ] as const) {
      const scan = await runCli([
        'scan',
        ...(targets as string[]),
        '--allow-reserved',
        '--port',
        String(p),
        ...(implicit ? ['--implicit-tls'] : []),
        '--ca-file',
        join(dir, 'ca.pem'),
        '--no-store',
        '--timeout',
        '5000',
      ]);
      expect(scan.code, scan.stderr).toBe(0);
      const records = scan.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { ip: string; outcome: string; cert_status: string });
      expect(records.map((r) => [r.ip, r.outcome, r.cert_status]).sort()).toEqual(
        (targets as string[]).map((ip) => [ip, 'tls-ok', 'valid']).sort(),
      );
    }

    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(parts.filter(alive)).toEqual([]);
    expect(sim.stderr).toBe('');
  });

  it('ends with exit 1, naming the part, when one of its processes dies', async () => {
    const broken = await startSim(['--range', '127.16.12.0/22', '--port', '0']);
    try {
      expect(broken.stdout).toMatch(/, 2 processes\n$/);
      const [first, second] = partPids(broken);
      process.kill(second as number, 'SIGKILL');
      expect(await broken.exited).toBe(1);
      expect(broken.stderr).toMatch(
        /^stripscan: the fleet process serving 127\.16\.14\.0\/23 exited \(SIGKILL\) \[E_SIM\]\n/,
      );
      expect(alive(first as number)).toBe(false);
    } finally {
      if (broken.child.exitCode === null) broken.child.kill('SIGKILL');
    }
  });
});
