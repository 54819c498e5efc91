/**
 * Child processes of the bench: every measured program runs in its own
 * process (pinned, see ./pinning.ts) with a hard time limit, so a hang ends
 * as a failed benchmark, not a stuck harness.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './child-registry.js';
import { pinned, type Core } from './pinning.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  timedOut: boolean;
}

/** Output kept per stream: enough for nmap on a thousand hosts, bounded anyway. */
const MAX_OUTPUT = 32 * 1024 * 1024;

export function runChild(
  command: string,
  args: string[],
  opts: {
    core?: Core;
    timeoutMs: number;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Told the child's pid as soon as it runs (CPU accounting). */
    onSpawn?: (pid: number | undefined) => void;
  },
): Promise<ChildResult> {
  const line = opts.core === undefined ? { command, args } : pinned(opts.core, command, args);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(line.command, line.args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    let timedOut = false;
    // SIGTERM first: a bench harness child stops its own fleet on SIGTERM.
    let killer: NodeJS.Timeout | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killer !== null) clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started, timedOut });
    });
  });
}

/**
 * Run one of bench/workers/*.ts (or the floor loop) through tsx and parse the
 * JSON object it prints as its last stdout line.
 */
export async function runTsWorker<T>(
  script: string,
  args: string[],
  opts: { core?: Core; timeoutMs: number; nodeFlags?: string[] },
): Promise<T> {
  const node = [...(opts.nodeFlags ?? []), '--import', 'tsx', script, ...args];
  const result = await runChild(process.execPath, node, opts);
  if (result.code !== 0) {
    const why = result.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exit ${result.code ?? result.signal}`;
    throw new Error(`${script} ${why}: ${result.stderr.slice(-2000)}`);
  }
  const last = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch (err) {
    throw new Error(`${script} printed no JSON result: ${JSON.stringify(last.slice(0, 200))}`, { cause: err });
  }
}
