/**
 * Benchmark 7: `stripscan scan --procs N`, per machine (nothing pinned).
 *
 * 1. Throughput: the fleet's TLS hosts scanned unpaced by one process and by
 *    every core's worth, in interleaved pairs, wall time from spawn to exit.
 * 2. Memory: 50,000 probes in flight at once across three scan processes
 *    (each under the 20,000 open files a process may have), against silent
 *    hosts served by eight processes of bench/workers/silent-hosts.ts (a
 *    /16 of loopback: listeners and accepted sockets are open files there
 *    too). The peak of the scan's whole process tree's RSS is the figure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runChild } from '../harness/child.js';
import { track } from '../harness/child-registry.js';
import { median } from '../harness/median.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import type { SimProcess } from '../harness/sim-process.js';

const BIN = join(REPO_ROOT, 'bin/stripscan.js');
const SILENT_RANGE_PARTS = Array.from({ length: 8 }, (_, k) => `127.18.${k * 32}.0/19`);
const SILENT_FIRST = '127.18.0.0';

export async function procsSuite(
  ctx: SuiteContext,
  sim: SimProcess,
  tlsHosts: string[],
  opts: { inflight: number; procs: number },
): Promise<BenchRow[]> {
  return [...(await throughput(ctx, sim, tlsHosts)), ...(await inflight(ctx, opts.inflight, opts.procs))];
}

async function throughput(ctx: SuiteContext, sim: SimProcess, hosts: string[]): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-procs-'));
  const targets = join(dir, 'targets.txt');
  writeFileSync(targets, `${hosts.join('\n')}\n`);
  const all = availableParallelism();
  const wall: Record<'one' | 'all', number[]> = { one: [], all: [] };
  try {
    for (let run = 1; run <= ctx.runs; run++) {
      for (const which of run % 2 === 1 ? (['one', 'all'] as const) : (['all', 'one'] as const)) {
        const args = [BIN, 'scan', '--targets-file', targets, '--allow-reserved', '--port', String(sim.port)];
        args.push('--ca-file', sim.caFile, '--no-store', '--no-progress', '--jsonl', join(dir, 'out.jsonl'));
        args.push('--rate', '0', '--concurrency', '128', '--seed', '1', '--procs', which === 'one' ? '1' : String(all));
        const result = await runChild(process.execPath, args, { timeoutMs: 300_000 });
        if (result.code !== 0) throw new Error(`stripscan scan exit ${result.code}: ${result.stderr.slice(-1000)}`);
        const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        if (lines.length !== hosts.length) throw new Error(`expected ${hosts.length} records, got ${lines.length}`);
        wall[which].push(result.wallMs / 1000);
        ctx.log(`procs run ${run} (${which === 'one' ? 1 : all} processes): ${(result.wallMs / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const one = median(wall.one);
  const every = median(wall.all);
  return [
    {
      suite: 'procs',
      metric: `stripscan scan, ${hosts.length} TLS hosts, --procs 1`,
      unit: 's wall',
      runs: wall.one,
      median: one,
    },
    {
      suite: 'procs',
      metric: `stripscan scan, ${hosts.length} TLS hosts, --procs ${all}`,
      unit: 's wall',
      runs: wall.all,
      median: every,
      ratio: { against: '--procs 1', value: one / every },
      note: `interleaved pairs, unpinned; the fleet shares the ${all} cores`,
    },
  ];
}

async function inflight(ctx: SuiteContext, count: number, procs: number): Promise<BenchRow[]> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const hosts = await startSilentHosts(port);
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-inflight-'));
  const rss: number[] = [];
  const peaks: number[] = [];
  try {
    for (let run = 1; run <= ctx.runs; run++) {
      const last = lastAddress(count);
      const args = [BIN, 'scan', `${SILENT_FIRST}-${last}`, '--allow-reserved', '--port', String(port)];
      args.push('--no-store', '--no-progress', '--jsonl', join(dir, 'out.jsonl'), '--seed', '1');
      args.push('--rate', '0', '--concurrency', String(count), '--procs', String(procs));
      args.push('--timeout', '20000', '--connect-timeout', '20000');
      const scan = track(spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] }));
      let stderr = '';
      scan.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const ended = new Promise<number | null>((resolve) => scan.on('close', resolve));
      let peakRss = 0;
      let peakConnected = 0;
      let done = false;
      void ended.then(() => (done = true));
      while (!done) {
        peakRss = Math.max(peakRss, treeRss(scan.pid ?? 0));
        peakConnected = Math.max(peakConnected, connectedTo(port));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const code = await ended;
      if (code !== 0) throw new Error(`stripscan scan exit ${code}: ${stderr.slice(-1000)}`);
      const outcomes = new Map<string, number>();
      for (const line of readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n')) {
        if (line === '') continue;
        const outcome = (JSON.parse(line) as { outcome: string }).outcome;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      if (outcomes.get('no-banner') !== count) {
        throw new Error(`expected ${count} no-banner records, got ${JSON.stringify(Object.fromEntries(outcomes))}`);
      }
      rss.push(peakRss / 2 ** 20);
      peaks.push(peakConnected);
      ctx.log(
        `inflight run ${run}: peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, ${peakConnected} connected at once`,
      );
    }
  } finally {
    for (const host of hosts) host.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const note = `${count} probes over ${procs} scan processes against silent hosts, all no-banner at the 20 s deadline; goal < 1.5 GB in all`;
  return [
    {
      suite: 'procs',
      metric: `peak RSS of the scan, ${count} in flight, ${procs} processes`,
      unit: 'MiB',
      runs: rss,
      median: median(rss),
      note,
    },
    {
      suite: 'procs',
      metric: 'probes connected at once (peak, ss)',
      unit: 'connections',
      runs: peaks,
      median: median(peaks),
    },
  ];
}

/** The `count`-th address from SILENT_FIRST (inclusive range end). */
function lastAddress(count: number): string {
  const n = count - 1;
  return `127.18.${Math.floor(n / 256)}.${n % 256}`;
}

async function startSilentHosts(port: number): Promise<ChildProcess[]> {
  const children = SILENT_RANGE_PARTS.map((part) =>
    track(
      spawn(process.execPath, ['--import', 'tsx', 'bench/workers/silent-hosts.ts', part, String(port)], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.stdout?.setEncoding('utf8').on('data', (d: string) => {
            if (d.includes('ready')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`silent hosts exited (${code}) before listening`)));
        }),
    ),
  );
  return children;
}

/** Resident memory of a process and all its descendants, in bytes. */
function treeRss(pid: number): number {
  let total = 0;
  const pids = [pid];
  while (pids.length > 0) {
    const p = pids.pop() as number;
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (children !== '') pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // The process ended between two reads.
    }
  }
  return total;
}

/** Established client connections to `port` (the scanner's side), as the kernel counts them. */
function connectedTo(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return out === '' ? 0 : out.trimEnd().split('\n').length;
}
