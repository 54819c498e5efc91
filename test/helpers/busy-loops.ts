/**
 * CPU-bound shell loops beside a test: the researcher's busy machine. Each
 * loop ends by itself after `maxSeconds` (coreutils timeout) even if the test
 * process dies, and stop() ends them at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface BusyLoops {
  stop(): void;
}

export function startBusyLoops(count: number, maxSeconds: number): BusyLoops {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    children.push(
      spawn('timeout', ['--kill-after=5', String(maxSeconds), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }),
    );
  }
  return {
    stop() {
      // TERM, not KILL: coreutils timeout passes TERM on to its loop; a killed timeout would orphan it.
      for (const child of children) child.kill('SIGTERM');
    },
  };
}
