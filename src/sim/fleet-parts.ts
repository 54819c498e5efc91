/**
 * A fleet too large for one process, served by several: every address has
 * its own listening socket (listeners.ts), and one process may hold only so
 * many (open-files.ts), so the range is cut into aligned parts, each served
 * by a child process (fleet-part.ts) on the same port(s) with the same
 * certificates, generated once here: one CA, one manifest, one `--ca-out`.
 *
 * Port 0: the first part picks the port(s), the others bind the same; if
 * one of them finds a port taken, every part closes and the whole fleet
 * binds again on new ones, a few times.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StripscanError, UsageError } from '../errors.js';
import { formatIpv4, parseFleetRange, type FleetRange } from './address-range.js';
import { createAssigner, type Mix, type PersonaAssigner } from './assignment.js';
import { generateSimCertificates, type SimCertificates } from './certificates.js';
import { FleetDescription } from './fleet-description.js';
import { fleetPathSources, type FleetOptions } from './fleet.js';
import type { PathSources } from './path-sources.js';
import type { PartReply, PartRequest } from './fleet-part.js';
import { PORT_ATTEMPTS } from './listeners.js';

/** The compiled CLI (dist/) forks the compiled entry; from the sources, tsx (a devDependency) loads the TypeScript one. */
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = fileURLToPath(new URL(`../../workers/fleet-part.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
const EXEC_ARGV = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];
const STOP_GRACE_MS = 5_000;
/** Processes one fleet may use: about 60 MiB each, and a 2-core machine runs them all. */
export const MAX_PROCESSES = 16;

/**
 * The parts of `range`, one per process: aligned CIDR blocks of a power-of-two
 * size whose listeners (`ports` per address) fit in `listenersPerProcess`.
 */
export function splitRange(range: FleetRange, ports: number, listenersPerProcess: number): string[] {
  const fits = Math.floor(listenersPerProcess / ports);
  if (range.size <= fits || range.family === 6) return [range.cidr];
  if (fits < 1) throw new StripscanError('E_SIM', 'the open files limit leaves no room for a listening socket');
  const bits = Math.floor(Math.log2(fits));
  const size = 2 ** bits;
  if (range.size / size > MAX_PROCESSES) {
    const most = 32 - bits - Math.log2(MAX_PROCESSES);
    throw new UsageError(
      `--range ${range.cidr}: ${range.size} addresses on ${ports} port(s) would need ${range.size / size} processes of ${size} listening sockets (the open files limit allows ${listenersPerProcess} listeners per process); the most is ${MAX_PROCESSES}: a /${most} or smaller`,
    );
  }
  return Array.from({ length: range.size / size }, (_, k) => `${formatIpv4(range.first + k * size)}/${32 - bits}`);
}

export interface SplitFleetOptions {
  range: string;
  parts: readonly string[];
  port: number;
  implicitTlsPort?: number;
  mix: Mix;
  seed: number;
  /** Client addresses the path personas' boxes act on (fleet.ts); every part gets the same. */
  pathSources?: readonly string[];
}

export interface SplitFleet extends FleetDescription {
  readonly parts: readonly string[];
  /** Rejects when a part's process ends while the fleet serves. */
  readonly failure: Promise<never>;
  close(): Promise<void>;
}

export async function startSplitFleet(opts: SplitFleetOptions): Promise<SplitFleet> {
  const range = parseFleetRange('--range', opts.range);
  const certificates = await generateSimCertificates();
  const processes = opts.parts.map((part) => new PartProcess(part));
  try {
    await Promise.all(processes.map((p) => p.ready));
    const paths = fleetPathSources(opts.pathSources, opts.mix);
    const base: FleetOptions = {
      range: range.cidr,
      mix: opts.mix,
      seed: opts.seed,
      certificates,
      pathSources: paths.list,
    };
    const ours = opts.port === 0 && (opts.implicitTlsPort ?? 0) === 0;
    for (let attempt = 1; ; attempt++) {
      const [first, ...rest] = processes as [PartProcess, ...PartProcess[]];
      const chosen = await first.listen({ ...base, port: opts.port, implicitTlsPort: opts.implicitTlsPort });
      if (chosen.type !== 'listening') throw failureOf(first.part, chosen);
      const replies = await Promise.all(
        rest.map((p) => p.listen({ ...base, port: chosen.port, implicitTlsPort: chosen.implicitTlsPort ?? undefined })),
      );
      const failed = replies.findIndex((r) => r.type !== 'listening');
      if (failed === -1) {
        const assign = createAssigner(opts.mix, opts.seed, paths.personas());
        return new RunningSplitFleet(
          range,
          chosen.port,
          chosen.implicitTlsPort,
          opts,
          certificates,
          assign,
          processes,
          paths,
        );
      }
      await Promise.all(processes.map((p) => p.closeFleet()));
      const reply = replies[failed] as PartReply;
      const taken = reply.type === 'failed' && reply.code === 'EADDRINUSE';
      if (!(ours && taken && attempt < PORT_ATTEMPTS)) throw failureOf((rest[failed] as PartProcess).part, reply);
    }
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop()));
    throw err;
  }
}

/** A part's refusal as an error carrying the system's code (EADDRINUSE, EACCES) for the caller to explain. */
function failureOf(part: string, reply: PartReply): Error {
  if (reply.type !== 'failed')
    return new StripscanError('E_SIM', `the fleet process for ${part} answered ${reply.type}`);
  const err = new Error(`${part}: ${reply.message}`) as NodeJS.ErrnoException;
  if (reply.code !== null) err.code = reply.code;
  return err;
}

class RunningSplitFleet extends FleetDescription implements SplitFleet {
  readonly parts: readonly string[];
  readonly failure: Promise<never>;

  constructor(
    range: FleetRange,
    port: number,
    implicitTlsPort: number | null,
    opts: SplitFleetOptions,
    certs: SimCertificates,
    assign: PersonaAssigner,
    private readonly processes: PartProcess[],
    paths: PathSources,
  ) {
    super(range, port, implicitTlsPort, opts.mix, opts.seed, certs, assign, paths);
    this.parts = opts.parts;
    this.failure = Promise.race(processes.map((p) => p.unexpectedExit));
    this.failure.catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}

/** One child process and its conversation: one request at a time, answered in order. */
class PartProcess {
  readonly ready: Promise<void>;
  readonly unexpectedExit: Promise<never>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly waiting: ((reply: PartReply) => void)[] = [];
  private stopping = false;

  constructor(readonly part: string) {
    this.child = fork(ENTRY, [], {
      execArgv: EXEC_ARGV,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let gone: (err: Error) => void = () => undefined;
    this.unexpectedExit = new Promise<never>((_, reject) => (gone = reject));
    this.unexpectedExit.catch(() => undefined);
    this.exited = new Promise<void>((resolve) =>
      this.child.once('exit', (code, signal) => {
        const err = new StripscanError('E_SIM', `the fleet process serving ${part} exited (${code ?? signal})`);
        for (const wake of this.waiting.splice(0)) wake({ type: 'failed', code: null, message: err.message });
        if (!this.stopping) gone(err);
        resolve();
      }),
    );
    this.child.on('message', (reply: PartReply) => this.waiting.shift()?.(reply));
    // A send to a process that has just died fails here; its exit, above, answers the request.
    this.child.on('error', () => undefined);
    const first = this.next();
    this.ready = first.then((reply) => {
      if (reply.type !== 'ready') throw failureOf(part, reply);
    });
  }

  listen(options: FleetOptions): Promise<PartReply> {
    return this.ask({ type: 'listen', options: { ...options, serve: this.part } });
  }

  async closeFleet(): Promise<void> {
    await this.ask({ type: 'close' });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private ask(request: PartRequest): Promise<PartReply> {
    const reply = this.next();
    this.child.send(request);
    return reply;
  }

  private next(): Promise<PartReply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
