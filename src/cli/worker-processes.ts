/**
 * `stripscan worker --procs N`: N copies of this worker, each its own process
 * (its own event loop, TLS context and open-files limit), so that one worker
 * command uses every core. Each copy is an ordinary BullMQ worker on the same
 * campaign: the queue already shares the chunks between them, the campaign's
 * rate is already paced in Redis for all workers together (politeness.ts),
 * and a chunk whose process dies runs again elsewhere once its lock expires.
 *
 * The copies live and die with this process: they are forked with an IPC
 * channel and end at once when it closes (this process gone, even by
 * SIGKILL), as a single worker process would have ended.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Set in a copy's environment: which copy it is (1-based) and how many there are. */
export const WORKER_COPY_ENV = 'STRIPSCAN_WORKER_COPY';

export interface WorkerCopiesOptions {
  procs: number;
  /** This command's arguments after the program name (`worker --campaign …`). */
  args: string[];
  /** The metrics port asked for: copy k serves port + k - 1. */
  metricsPort: number | undefined;
  log(line: string): void;
}

/** Runs the copies to their end; resolves with the exit code the command should have. */
export async function runWorkerCopies(opts: WorkerCopiesOptions): Promise<number> {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('worker: cannot find the program to start copies of');
  const children: ChildProcess[] = [];
  for (let k = 1; k <= opts.procs; k++) {
    const args = [...opts.args, '--procs', '1'];
    if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort + k - 1));
    children.push(
      fork(entry, args, {
        env: { ...process.env, [WORKER_COPY_ENV]: `${k}/${opts.procs}` },
        execArgv: process.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
  }
  // A signal to this process is a signal to the worker: every copy is told
  // to shut down, with SIGTERM even for Ctrl-C (which the terminal also sent
  // the copies: a second SIGINT would end a copy without its grace).
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const codes = await Promise.all(
      children.map(
        (child, k) =>
          new Promise<number>((resolve) =>
            child.once('exit', (code, signal) => {
              if (code !== 0) {
                const how = signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`;
                opts.log(
                  `worker process ${k + 1} of ${opts.procs} ended (${how}); its chunk runs again elsewhere once its lock expires`,
                );
              }
              resolve(code ?? 1);
            }),
          ),
      ),
    );
    return codes.every((c) => c === 0) ? 0 : Math.max(...codes.filter((c) => c !== 0));
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** In a copy: end with the parent, as the single process it stands in for would have. */
export function endWithParent(): void {
  if (process.env[WORKER_COPY_ENV] === undefined || process.send === undefined) return;
  process.on('disconnect', () => process.exit(1));
}
