/**
 * A scan spread over several processes (scan-part.ts is the child's side).
 *
 * Why processes and not worker threads: each probe holds a socket, and the
 * open-files limit (20,000 here) is per process, so only processes let one
 * scan hold more probes in flight than one process may; each process also
 * has its own event loop, heap and TLS context, so one busy loop does not
 * delay another's timers.
 *
 * The parent keeps everything there must be one of: the seeded plan, cut into
 * chunks dealt evenly to the children, which take their next one as they
 * need addresses (no address is handed out twice), the progress,
 * the sinks (JSON lines, store) fed through `onRecord`, and the summary. The
 * global `--concurrency` and `--rate` are split evenly between the children.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScanRecord } from '../record.js';
import { chunksOf, type ChunkSpec, type ScanPlan } from '../targets/index.js';
import { emptyStats, mergeStats, type ChunkStats } from './chunk-stats.js';
import type { PartReply, PartRequest, PartSettings } from './scan-part.js';

/** The compiled CLI (dist/) forks the compiled entry; from the sources, tsx (a devDependency) loads the TypeScript one. */
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = fileURLToPath(new URL(`../../workers/scan-part.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
const EXEC_ARGV = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];

/** Positions per chunk: enough that a child asks rarely, few enough that the children's shares stay even. */
const MIN_CHUNK = 64;
const MAX_CHUNK = 65_536;
const CHUNKS_EACH = 64;

/** Every n-th chunk of the plan from the k-th: process k's share. */
function* dealChunks(plan: ScanPlan, size: number, k: number, n: number): Generator<ChunkSpec> {
  let i = 0;
  for (const chunk of chunksOf(plan, size)) if (i++ % n === k) yield chunk;
}

export interface ScanPartsOptions {
  procs: number;
  plan: ScanPlan;
  /** The child's settings, less its share of concurrency and rate. */
  settings: Omit<PartSettings, 'concurrency' | 'rate'>;
  concurrency: number;
  /** New connections per second for the whole scan; 0 = unpaced. */
  rate: number;
  signal: AbortSignal;
  onRecord(record: ScanRecord): Promise<void> | void;
}

/** A child that ended before its work: reported after the summary, never silent. */
export interface PartCrash {
  part: number;
  /** Exit code or signal, or the child's own error message. */
  how: string;
  /** Positions of the plan handed to it (an upper bound on the addresses it held). */
  positionsGiven: number;
  /** Records it sent back. */
  recordsReceived: number;
  /** Positions of its share that no other process was left to take: not probed. */
  positionsLeft: number;
}

export interface ScanPartsResult {
  stats: ChunkStats;
  crashes: PartCrash[];
}

/** Share `total` between `n` as evenly as whole numbers allow (0 stays 0: unpaced). */
function share(total: number, n: number, k: number): number {
  return Math.floor(total / n) + (k < total % n ? 1 : 0);
}

export async function runScanParts(opts: ScanPartsOptions): Promise<ScanPartsResult> {
  const n = opts.procs;
  const size = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(opts.plan.positions / (n * CHUNKS_EACH))));
  let stopped = false;
  // Chunks are dealt round robin, k, k+n, k+2n… to process k: a process's
  // chunk runner takes addresses ahead of the rate limiter (up to its
  // concurrency), so handing chunks to whoever asks first would let the
  // first process take a small scan whole while the others idle, at its
  // share of the rate. Dealt evenly, every process holds an equal share and
  // the whole scan runs at the whole rate.
  const dealt = Array.from({ length: n }, (_, k) => dealChunks(opts.plan, size, k, n));
  // A process that dies leaves its undealt chunks to the others: each takes
  // them once its own share has run dry.
  const dead: number[] = [];
  const nextChunk = (k: number): ChunkSpec | null => {
    if (stopped) return null;
    for (const share of [k, ...dead]) {
      const next = (dealt[share] as Generator<ChunkSpec>).next();
      if (next.done !== true) return next.value;
    }
    return null;
  };
  // The first sink failure (a full disk, a store that refuses) stops the scan, as in one process.
  let sinkError: { error: unknown } | null = null;
  const onRecord = async (record: ScanRecord): Promise<void> => {
    if (sinkError !== null) return;
    try {
      await opts.onRecord(record);
    } catch (error) {
      sinkError = { error };
      stop();
    }
  };
  const parts = Array.from({ length: n }, (_, k) => {
    // The rate is split as a fraction: a rate of 1 over two processes is 0.5 each, not 1 and 0.
    const rate = opts.rate > 0 ? opts.rate / n : 0;
    const settings = { ...opts.settings, concurrency: share(opts.concurrency, n, k), rate };
    return new PartProcess(k, settings, nextChunk, onRecord, () => dead.push(k));
  });
  function stop(): void {
    stopped = true;
    for (const part of parts) part.stop();
  }
  opts.signal.addEventListener('abort', stop, { once: true });
  try {
    const results = await Promise.all(parts.map((p) => p.finished));
    if (sinkError !== null) throw (sinkError as { error: unknown }).error;
    const stats = emptyStats();
    const crashes: PartCrash[] = [];
    for (const result of results) {
      if ('stats' in result) mergeStats(stats, result.stats);
      else crashes.push(result);
    }
    // What no survivor was left to take (they had all finished when the process died).
    for (const crash of crashes) {
      for (const chunk of dealt[crash.part] as Generator<ChunkSpec>) crash.positionsLeft += chunk.count;
    }
    return { stats, crashes };
  } finally {
    opts.signal.removeEventListener('abort', stop);
  }
}

/** One child and its conversation: chunks out, record batches in (acknowledged once taken), stats at the end. */
class PartProcess {
  readonly finished: Promise<{ stats: ChunkStats } | PartCrash>;
  private readonly child: ChildProcess;
  private positionsGiven = 0;
  private recordsReceived = 0;
  /** Records are handed on one batch at a time, in order. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly index: number,
    settings: PartSettings,
    nextChunk: (part: number) => ChunkSpec | null,
    onRecord: (record: ScanRecord) => Promise<void>,
    onDied: () => void,
  ) {
    this.child = fork(ENTRY, [], {
      execArgv: EXEC_ARGV,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let stats: ChunkStats | null = null;
    let failure: string | null = null;
    this.child.on('message', (reply: PartReply) => {
      switch (reply.type) {
        case 'want-chunk': {
          const chunk = nextChunk(this.index);
          if (chunk !== null) this.positionsGiven += chunk.count;
          this.send({ type: 'chunk', chunk });
          return;
        }
        case 'records':
          this.recordsReceived += reply.records.length;
          this.delivering = this.delivering.then(async () => {
            for (const record of reply.records) await onRecord(record);
            this.send({ type: 'ack' });
          });
          return;
        case 'done':
          stats = reply.stats;
          return;
        case 'failed':
          failure = reply.message;
          return;
      }
    });
    // A send to a process that has just died fails here; its exit, below, tells.
    this.child.on('error', () => undefined);
    // 'exit' may come before the last messages are read from the channel;
    // the channel's own end ('disconnect') comes after them. Both, then.
    const exited = new Promise<string | null>((resolve) =>
      this.child.once('exit', (code, signal) => {
        if (code !== 0) onDied();
        resolve(code === 0 ? null : signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`);
      }),
    );
    const disconnected = new Promise<void>((resolve) => this.child.once('disconnect', resolve));
    this.finished = Promise.all([exited, disconnected]).then(async ([how]) => {
      // Records the child sent before it ended are delivered first: they are results.
      await this.delivering;
      if (stats !== null && how === null) return { stats };
      return {
        part: this.index,
        how: failure ?? how ?? 'ended without its statistics',
        positionsGiven: this.positionsGiven,
        recordsReceived: this.recordsReceived,
        positionsLeft: 0,
      };
    });
    this.send({ type: 'start', settings });
  }

  /** Stop handing out addresses; the child finishes the probes it holds and sends them. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  private send(request: PartRequest): void {
    if (this.child.connected) this.child.send(request);
  }
}

/** One line per crashed process, for after the summary. */
export function describeCrash(crash: PartCrash, procs: number): string {
  const left =
    crash.positionsLeft > 0
      ? `; ${crash.positionsLeft} positions of its share were left with no process to take them, not probed`
      : '; the others took the rest of its share';
  return `scan process ${crash.part + 1} of ${procs} ended early (${crash.how}): it had been given ${crash.positionsGiven} plan positions and sent back ${crash.recordsReceived} records; the addresses it held but did not report were not probed${left}`;
}
