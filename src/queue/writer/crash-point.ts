/**
 * A test hook: with STRIPSCAN_TEST_WRITER_CRASH_AT=<point> in its
 * environment, the writer kills itself with SIGKILL when it reaches that
 * point, so a test can prove that a writer dying exactly there loses nothing.
 * Points: `after-read` (an entry read, nothing stored), `after-store` (its
 * rows stored or spooled, not yet acknowledged). Unset in normal use.
 */
export type CrashPoint = 'after-read' | 'after-store';

export function crashPoint(point: CrashPoint): void {
  if (process.env.STRIPSCAN_TEST_WRITER_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
