/**
 * CPU seconds per role (workers, writer, redis, fleet, …) over a stretch of a
 * benchmark, read from /proc: each role is a root process and everything
 * below it (the fleet serves a /16 from several processes). A process that
 * exits between two samples keeps its last reading, so a process that ends
 * by itself loses at most the CPU of its last sampling interval.
 *
 * Why: on 2 cores the end-to-end share lost to queue and storage is mostly
 * CPU that the writer and Redis take from the probes; the split says where.
 * Linux only; elsewhere every role reads 0 and `available` is false.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc times are in clock ticks, 100 a second on every Linux port node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15): indexes 1, 11, 12 here.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat !== null) stats.set(Number(name), stat);
  }
  return stats;
}

export class CpuAccounting {
  private readonly roots = new Map<number, string>();
  /** Last ticks seen per pid, and the role it belongs to. */
  private readonly last = new Map<number, { role: string; ticks: number }>();
  /** Ticks a pid already had when it was first seen at the start (not counted). */
  private readonly atStart = new Map<number, number>();
  private started = false;
  readonly available = process.platform === 'linux';

  /** A process whose tree is counted as `role` (several roots may share a role). */
  add(role: string, pid: number | undefined): void {
    if (pid !== undefined) this.roots.set(pid, role);
  }

  /** Takes the starting readings: CPU spent before this is not counted. */
  start(): void {
    this.sample();
    for (const [pid, seen] of this.last) this.atStart.set(pid, seen.ticks);
    this.started = true;
  }

  sample(): void {
    if (!this.available) return;
    const stats = allStats();
    const roleOf = (pid: number): string | undefined => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
        const role = this.roots.get(p);
        if (role !== undefined) return role;
        const stat = stats.get(p);
        if (stat === undefined) return undefined;
        p = stat.ppid;
      }
      return undefined;
    };
    for (const [pid, stat] of stats) {
      const role = this.last.get(pid)?.role ?? roleOf(pid);
      if (role === undefined) continue;
      // A pid seen for the first time after start() started after it: all its ticks count.
      if (this.started && !this.last.has(pid)) this.atStart.set(pid, 0);
      this.last.set(pid, { role, ticks: stat.ticks });
    }
  }

  /** CPU seconds per role since start(). */
  seconds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const role of this.roots.values()) out[role] = 0;
    for (const [pid, { role, ticks }] of this.last) {
      out[role] = (out[role] ?? 0) + (ticks - (this.atStart.get(pid) ?? 0)) / TICKS_PER_SECOND;
    }
    return out;
  }
}

/** `workers 61.2 s, writer 9.8 s, …`: the roles in the order given. */
export function formatCpu(seconds: Record<string, number>): string {
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  const parts = Object.entries(seconds).map(([role, s]) => `${role} ${s.toFixed(1)}`);
  return `${parts.join(', ')} (total ${total.toFixed(1)} CPU s)`;
}
