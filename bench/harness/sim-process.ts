/**
 * The simulated fleet as a separate process (`stripscan sim`, pinned to core
 * 1), its manifest read back to find hosts by persona. Port 0: other engineers
 * may run a fleet on 2525 at the same time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERSONAS } from '../../src/sim/personas.js';
import { REPO_ROOT } from './child.js';
import { track } from './child-registry.js';
import { pinned } from './pinning.js';

export interface SimProcess {
  /** The fleet's first process (its parts are its children): for CPU accounting. */
  pid: number | undefined;
  port: number;
  range: string;
  caFile: string;
  /** Addresses per persona name, in range order. */
  hostsOf(persona: string): string[];
  stop(): Promise<void>;
}

/**
 * Personas of the even mix repeat every PERSONAS.length addresses; the range holds `hostsPerPersona` of each.
 * At most a /16: every address listens on its own socket, and `stripscan sim` serves a /16 from 8 processes
 * (MAX_HOSTS_PER_PERSONA in options.ts keeps --hosts inside it).
 */
export function rangeFor(hostsPerPersona: number): string {
  const need = (hostsPerPersona + 1) * PERSONAS.length;
  let prefix = 22;
  while (prefix > 16 && 2 ** (32 - prefix) < need) prefix--;
  return `127.16.0.0/${prefix}`;
}

export async function startSimProcess(range: string, mix: 'even' | 'realistic' = 'even'): Promise<SimProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-sim-'));
  const caFile = join(dir, 'ca.pem');
  const manifest = join(dir, 'manifest.jsonl');
  const line = pinned(1, process.execPath, [
    join(REPO_ROOT, 'bin/stripscan.js'),
    'sim',
    '--range',
    range,
    '--port',
    '0',
    '--mix',
    mix,
    '--ca-out',
    caFile,
    '--manifest',
    manifest,
  ]);
  const child = track(spawn(line.command, line.args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let port: number;
  try {
    port = await listeningPort(child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const byPersona = new Map<string, string[]>();
  for (const text of readFileSync(manifest, 'utf8').split('\n')) {
    if (text === '') continue;
    const entry = JSON.parse(text) as { ip: string; persona: string };
    let list = byPersona.get(entry.persona);
    if (list === undefined) byPersona.set(entry.persona, (list = []));
    list.push(entry.ip);
  }
  return {
    pid: child.pid,
    port,
    range,
    caFile,
    hostsOf: (persona) => byPersona.get(persona) ?? [],
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the port from the "listening on … port N" line; the sim writes its files before it. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`stripscan sim did not start in 60 s: ${err}`)), 60_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /listening on \S+ port (\d+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripscan sim exited (${code}) before listening: ${err}`));
    });
  });
}
