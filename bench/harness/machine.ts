/** The machine the figures were taken on; BENCHMARKS.md quotes it. */
import { readFileSync } from 'node:fs';
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import { PINNING_AVAILABLE } from './pinning.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started and ended: the machine is shared. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  pinned: boolean;
  openFilesLimit: number | null;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function openFilesLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

export function machineFacts(): MachineFacts {
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAtStart: loadavg().map((l) => Number(l.toFixed(2))),
    pinned: PINNING_AVAILABLE,
    openFilesLimit: openFilesLimit(),
  };
}
