/**
 * `stripscan worker --procs N`: this worker and N-1 copies of it, each its own
 * process (its own event loop, TLS context and open-files limit), so that one
 * worker command uses every core. Each copy is an ordinary worker of the same
 * campaign and vantage: the queue shares the chunks between them, the
 * campaign's rate is paced in Redis for all workers together
 * (src/queue/politeness.ts), and a chunk whose process dies runs again
 * elsewhere once its lock expires. `--jobs` and the campaign's per-chunk
 * concurrency apply per process, as they would to N workers.
 *
 * The copies live and die with the first process: they are forked with an
 * IPC channel and end at once when it closes (the first process gone, even by
 * SIGKILL), as one worker process would have ended.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Set in a copy's environment: which copy it is, of how many processes in all. */
const WORKER_COPY_ENV = 'STRIPSCAN_WORKER_COPY';

export interface WorkerCopiesOptions {
  copies: number;
  /** This command's arguments after the program name (`worker --campaign …`). */
  args: string[];
  /** The first process's metrics port, if it serves one: copy k serves port + k. */
  metricsPort: number | null;
  log(line: string): void;
}

export interface WorkerCopies {
  /** The exit code the command should have once every copy has ended: 0, or the first failure's. */
  finished: Promise<number>;
}

export function isWorkerCopy(): boolean {
  return process.env[WORKER_COPY_ENV] !== undefined;
}

export function startWorkerCopies(opts: WorkerCopiesOptions): WorkerCopies {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('worker: cannot find the program to start copies of');
  const total = opts.copies + 1;
  const children: ChildProcess[] = [];
  for (let k = 1; k <= opts.copies; k++) {
    const args = [...opts.args, '--procs', '1'];
    // Port 0 asks each process for a free port of its own; a fixed port moves up by one per copy.
    if (opts.metricsPort !== null)
      args.push('--metrics-port', String(opts.metricsPort === 0 ? 0 : opts.metricsPort + k));
    children.push(
      fork(entry, args, {
        env: { ...process.env, [WORKER_COPY_ENV]: `${k + 1}/${total}` },
        execArgv: process.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
  }
  // A signal to the first process is a signal to the worker: every copy is
  // told to shut down, with SIGTERM even for Ctrl-C (which the terminal also
  // sent the copies: a second SIGINT would end a copy without its grace).
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const finished = Promise.all(
    children.map(
      (child, k) =>
        new Promise<number>((resolve) =>
          child.once('exit', (code, signal) => {
            if (code !== 0) {
              const how = signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`;
              opts.log(
                `worker process ${k + 2} of ${total} ended (${how}); a chunk it held runs again once its lock expires`,
              );
            }
            resolve(code ?? 1);
          }),
        ),
    ),
  ).then((codes) => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    return codes.find((c) => c !== 0) ?? 0;
  });
  return { finished };
}

/** In a copy: end with the first process, as the single process it stands in for would have. */
export function endWithParent(): void {
  if (!isWorkerCopy() || process.send === undefined) return;
  process.on('disconnect', () => process.exit(1));
  if (!process.connected) process.exit(1);
  // The channel only watches for the first process's end: it must not keep
  // a copy alive once its worker is done (the first process waits for it).
  process.channel?.unref();
}
