/**
 * CPU pinning: the fleet on core 1, every scanner (stripscan, the floor loop,
 * nmap, testssl.sh) on core 0, so "per core" means one core and the two sides
 * do not steal from each other. Without taskset (or with one core) nothing is
 * pinned and the results say so.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;

export const PINNING_AVAILABLE = TASKSET !== null && availableParallelism() >= 2;

export type Core = 0 | 1;

/** The command line, prefixed with `taskset -c <core>` when pinning is available. */
export function pinned(core: Core, command: string, args: string[]): { command: string; args: string[] } {
  if (!PINNING_AVAILABLE || TASKSET === null) return { command, args };
  return { command: TASKSET, args: ['-c', String(core), command, ...args] };
}
