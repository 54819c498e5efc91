/**
 * The simulated fleet in a process of its own (`stripscan sim`), as the
 * servers of a real scan are. Why not in the scanner's process: libuv accepts
 * one connection per event-loop turn, so a fleet sharing a busy scanner's
 * loop lets hundreds of connections wait in its accept queue while the
 * scanner, already connected, waits for a banner that is not late — on a
 * loaded 2-core machine, seconds. Measured: 60–80 of 256 hosts recorded as
 * no-banner beside eight busy loops in one process, none in two.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { StripscanError } from '../errors.js';
import type { Mix } from './assignment.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'stripscan.js');
const START_LIMIT_MS = 120_000;

export interface FleetProcessOptions {
  range: string;
  mix: Mix;
  seed: number;
  /** Client addresses the path personas' boxes act on (`--path-sources`). */
  pathSources?: readonly string[];
  /** Wraps the command line, e.g. to pin the process to a core (benchmarks). */
  launch?: (command: string, args: string[]) => { command: string; args: string[] };
}

export interface FleetProcess {
  port: number;
  caPem: string;
  /** The CA as a file, for --ca-file; removed by stop(). */
  caFile: string;
  /** The manifest (JSON lines), when asked for; removed by stop(). */
  manifestFile: string;
  stop(): Promise<void>;
}

export async function startFleetProcess(opts: FleetProcessOptions): Promise<FleetProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-fleet-'));
  const caFile = join(dir, 'ca.pem');
  const manifestFile = join(dir, 'manifest.jsonl');
  const args = [
    BIN,
    'sim',
    '--range',
    opts.range,
    '--port',
    '0',
    '--mix',
    opts.mix,
    '--seed',
    String(opts.seed),
    '--ca-out',
    caFile,
    '--manifest',
    manifestFile,
    ...(opts.pathSources === undefined || opts.pathSources.length === 0
      ? []
      : ['--path-sources', opts.pathSources.join(',')]),
  ];
  const line = opts.launch?.(process.execPath, args) ?? { command: process.execPath, args };
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(
        () => reject(new StripscanError('E_SIM', `the simulated fleet did not start in ${START_LIMIT_MS / 1000} s`)),
        START_LIMIT_MS,
      );
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        // The sim writes its CA and manifest before it says where it listens.
        const match = /listening on \S+ port (\d+)/.exec(out);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new StripscanError('E_SIM', `the simulated fleet exited (${code}) before listening: ${err.trim()}`));
      });
    });
    return { port, caPem: readFileSync(caFile, 'utf8'), caFile, manifestFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
