/**
 * `stripscan … | head -n N` as a shell runs it: two processes joined by a
 * real pipe, the CLI writing straight into head's stdin. When head has its
 * lines it exits, and the CLI's next write meets EPIPE.
 */
import { spawn } from 'node:child_process';
import { BIN } from './run-cli.js';

export interface PipeResult {
  /** The CLI's exit code (null: killed by a signal, or by the time limit). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What head printed. */
  head: string;
  /** The CLI's stderr. */
  stderr: string;
}

export function cliIntoHead(args: string[], lines: number, timeoutMs = 60_000): Promise<PipeResult> {
  const head = spawn('head', ['-n', String(lines)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const cli = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', head.stdin, 'pipe'] });
  // Only the two children hold the pipe: head's reading end, the CLI's writing end.
  head.stdin.destroy();
  let out = '';
  let stderr = '';
  head.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  cli.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => cli.kill('SIGKILL'), timeoutMs);
  const headDone = new Promise<void>((resolve) => head.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    cli.on('error', reject);
    cli.on('close', (code, signal) => {
      clearTimeout(timer);
      void headDone.then(() => resolve({ code, signal, head: out, stderr }));
    });
  });
}
