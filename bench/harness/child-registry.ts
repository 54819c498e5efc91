/**
 * Every process the bench starts (fleet, Redis, workers, scanners) is
 * registered here and killed when the bench ends or is told to stop
 * (SIGTERM, SIGINT): a killed harness must not leave a fleet listening.
 * Only SIGKILL of the harness itself escapes this.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/** Called once by the harness's entry point (not by tests that import runChild). */
export function killChildrenOnExit(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}
