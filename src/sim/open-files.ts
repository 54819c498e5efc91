/**
 * How many sockets one fleet process may hold. Every address listens on its
 * own socket (listeners.ts), and every connection is one more, so the open
 * files limit of a process (20,000 on the reference machine, fixed there)
 * bounds the addresses one process can serve. Half of what the limit leaves
 * after a reserve goes to listeners, the rest to connections; a range that
 * needs more listeners is split over processes (fleet-parts.ts).
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept for Node itself: stdio, the event loop, IPC, TLS, timers' files, the manifest. */
export const RESERVED_FILES = 256;

/** Where the limit cannot be read (not Linux): the smallest soft limit common on Linux. */
const FALLBACK_LIMIT = 1024;

/** This process's soft limit on open files (`ulimit -n`), from /proc/self/limits. */
export function openFilesLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line?.[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
    if (line?.[1] !== undefined) return Number(line[1]);
  } catch {
    // Not Linux: fall through to the conservative figure.
  }
  return FALLBACK_LIMIT;
}

export interface SocketBudget {
  /** Listeners one process may hold. */
  listeners: number;
  /** Connections a process holding `listeners` listeners may accept at once. */
  connections(listeners: number): number;
}

export function socketBudget(limit = openFilesLimit()): SocketBudget {
  const usable = Math.max(0, limit - RESERVED_FILES);
  return {
    listeners: Math.floor(usable / 2),
    connections: (listeners) => Math.max(0, usable - listeners),
  };
}
