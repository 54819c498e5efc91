import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/stripscan.js', import.meta.url).pathname;

function run(args: string[], onStdout?: (text: string, kill: () => void) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout, () => child.kill('SIGTERM'));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr + (signal === null ? '' : `[signal ${signal}]`) });
    }),
  );
}

describe('stripscan sim (CLI)', () => {
  it('exits 2 naming a non-loopback range', async () => {
    const r = await run(['sim', '--range', '10.0.0.0/8', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"10.0.0.0/8"');
  }, 30_000);

  it('exits 2 when its port is taken on an address of the range, suggesting --port 0', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.16.0.5', port: 0 }, resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await run(['sim', '--range', '127.16.0.0/29', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `stripscan: --port ${port}: cannot listen there (EADDRINUSE: another program listens there on an address of the range); --port 0 picks a free port\n`,
      );
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('listens, writes CA and manifest, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-sim-'));
    try {
      const manifest = join(dir, 'm.jsonl');
      const ca = join(dir, 'ca.pem');
      const r = await run(
        [
          'sim',
          '--range',
          '127.16.0.0/28',
          '--port',
          '0',
          '--mix',
          'realistic',
          '--manifest',
          manifest,
          '--ca-out',
          ca,
        ],
        (text, kill) => {
          if (text.includes('\n')) kill();
        },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /listening on 127\.16\.0\.0\/28 port \d+: 16 hosts, \d+ personas, mix realistic, seed 1/,
      );
      const lines = readFileSync(manifest, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(16);
      expect(JSON.parse(lines[0]!)).toMatchObject({ ip: '127.16.0.0', persona: expect.any(String) });
      expect(readFileSync(ca, 'utf8')).toContain('BEGIN CERTIFICATE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
