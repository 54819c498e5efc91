import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/stripscan.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function stripscan(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stripscan-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stripscan targets', () => {
  it('exits 2 naming the bad value', async () => {
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '');
    const cases: [string[], string][] = [
      [['300.1.1.1', '--count'], '"300.1.1.1"'],
      [['10.0.0.0/33', '--count'], '"10.0.0.0/33"'],
      [['::/0', '--count'], '"::/0": an IPv6 range of 2^128 addresses is too large to enumerate'],
      [['--targets-file', empty, '--count'], `"${empty}": the file holds no targets`],
      [['--targets-file', join(dir, 'nope.txt'), '--count'], 'nope.txt'],
      [['127.0.0.1', '--count'], '127.0.0.0/8 (loopback); pass --allow-reserved'],
      [['192.0.2.1', '--count', '--list'], 'exactly one of --count, --list'],
      [['192.0.2.1', '--list', '--shards', '2', '--shard', '2'], '--shard 2'],
      [['198.51.100.1', '--list', '--allow-reserved', '--shards', '0'], '--shards "0"'],
    ];
    const runs = await Promise.all(cases.map(([args]) => stripscan(['targets', ...args])));
    runs.forEach((run, i) => {
      const [args, message] = cases[i] as [string[], string];
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
    });
  });

  it('counts, lists reproducibly, and reads its own list back from stdin', async () => {
    const [count, first, again, other] = await Promise.all([
      stripscan(['targets', '0.0.0.0/0', '--count', '--json']),
      stripscan(['targets', '127.0.0.0/28', '::1', '--allow-reserved', '--seed', 'x', '--list']),
      stripscan(['targets', '127.0.0.0/28', '::1', '--allow-reserved', '--seed', 'x', '--list']),
      stripscan(['targets', '127.0.0.0/28', '::1', '--allow-reserved', '--seed', 'y', '--list']),
    ]);
    const summary = JSON.parse(count.stdout) as { size: number; excluded: number };
    expect(summary.size).toBe(3_702_258_432);
    expect(summary.size + summary.excluded).toBe(2 ** 32);
    const lines = first.stdout.trim().split('\n');
    expect(new Set(lines)).toEqual(new Set(['::1', ...Array.from({ length: 16 }, (_, i) => `127.0.0.${i}`)]));
    expect(lines.length).toBe(17);
    expect(again.stdout).toBe(first.stdout);
    expect(other.stdout).not.toBe(first.stdout);
    const piped = await stripscan(
      ['targets', '--targets-file', '-', '--allow-reserved', '--count', '--json'],
      first.stdout,
    );
    expect(JSON.parse(piped.stdout)).toMatchObject({ size: 17 });
  });

  it('lists a probe per name a target carries, and reads that list back', async () => {
    const file = join(dir, 'named.csv');
    await writeFile(
      file,
      '127.0.0.1,mx1.example.org,tag\n127.0.0.1,mx2.example.org\n127.0.0.2\n127.0.0.3,MX.example.org.\n',
    );
    const list = await stripscan(['targets', '--targets-file', file, '--allow-reserved', '--seed', '3', '--list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(new Set(lines)).toEqual(
      new Set(['127.0.0.1,mx1.example.org', '127.0.0.1,mx2.example.org', '127.0.0.2', '127.0.0.3,mx.example.org']),
    );
    expect(lines.length).toBe(4);
    // Names ride along with the permutation of the three addresses: an address's probes stay together.
    expect(Math.abs(lines.indexOf('127.0.0.1,mx1.example.org') - lines.indexOf('127.0.0.1,mx2.example.org'))).toBe(1);
    const again = await stripscan(
      ['targets', '--targets-file', '-', '--allow-reserved', '--seed', '3', '--list'],
      list.stdout,
    );
    expect(new Set(again.stdout.trim().split('\n'))).toEqual(new Set(lines));
    const count = await stripscan(['targets', '--targets-file', file, '--allow-reserved', '--count', '--json']);
    expect(JSON.parse(count.stdout)).toMatchObject({ size: 3 });
  });

  it('exits 2 naming the line of a bad name', async () => {
    const file = join(dir, 'bad-named.csv');
    await writeFile(file, '127.0.0.1,mx.example.org\n127.0.0.2,not a name\n');
    const run = await stripscan(['targets', '--targets-file', file, '--allow-reserved', '--count']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: target "127.0.0.2,not a name": "not a name" is not a host name`);
    const arg = await stripscan(['targets', '127.0.0.1,localhost', '--allow-reserved', '--count']);
    expect(arg.code).toBe(2);
    expect(arg.stderr).toContain('target "127.0.0.1,localhost": "localhost" is not a host name');
  });

  it('cuts the plan into constant-size chunks', async () => {
    const run = await stripscan(['targets', '127.0.0.0/24', '--allow-reserved', '--seed', '9', '--chunks', '50']);
    expect(run.code).toBe(0);
    const chunks = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seed: string; start: number; count: number });
    // 256 addresses: the prime above is 257, so the cycle has 256 positions.
    expect(chunks.map((c) => c.count)).toEqual([50, 50, 50, 50, 50, 6]);
    expect(chunks.map((c) => c.start)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(new Set(chunks.map((c) => c.seed))).toEqual(new Set(['9']));
  });

  it('prints the random seed, which reproduces the order', async () => {
    const run = await stripscan(['targets', '127.0.0.0/24', '--allow-reserved', '--list']);
    const seed = /seed (\d+)/.exec(run.stderr)?.[1];
    expect(seed).toBeDefined();
    const replay = await stripscan(['targets', '127.0.0.0/24', '--allow-reserved', '--list', '--seed', seed ?? '']);
    expect(replay.stdout).toBe(run.stdout);
  });

  it('stops quietly when the reader goes away', async () => {
    const child = spawn(process.execPath, [BIN, 'targets', '0.0.0.0/0', '--seed', '1', '--list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const firstData = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(String(d))),
    );
    expect(firstData).toMatch(/^\d+\.\d+\.\d+\.\d+\n/);
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
