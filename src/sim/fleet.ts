/**
 * The simulated fleet served from this process: one listening socket per
 * address of a loopback range and per port (listeners.ts says why), the
 * persona picked by the address. One process holds as many listeners as
 * its open files limit allows (open-files.ts); `stripscan sim` serves a
 * larger range from several processes, each running this on a part of it
 * (`serve`), all with one set of certificates (fleet-parts.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { UsageError } from '../errors.js';
import {
  addressAt,
  DEFAULT_RANGE,
  indexInRange,
  isLoopback,
  parseFleetRange,
  type FleetRange,
} from './address-range.js';
import { createAssigner, MIXES, type Mix, type PersonaAssigner } from './assignment.js';
import { generateSimCertificates, type SimCertificates } from './certificates.js';
import { FleetDescription } from './fleet-description.js';
import { bindEach, closeAll } from './listeners.js';
import { openFilesLimit, socketBudget } from './open-files.js';
import type { Persona } from './persona.js';
import { onPathView } from './path-personas.js';
import { PathSources } from './path-sources.js';
import { DEFAULT_SESSION_LIMITS, serveSession, type SessionLimits } from './session.js';
import { createTlsContexts, type TlsContexts } from './tls-contexts.js';

export type { ManifestEntry, ScannerAssumptions } from './fleet-description.js';

export interface FleetOptions {
  /** Loopback CIDR (inside 127.0.0.0/8) or ::1; default 127.16.0.0/20. Personas follow the address's place in it. */
  range?: string;
  /** The part of `range` this process listens on (a CIDR inside it); default all of it. */
  serve?: string;
  /** STARTTLS port; 0 picks a free one. Default 0. */
  port?: number;
  /** Port that speaks TLS from the first byte (port-465 style); absent: none. 0 picks a free one. */
  implicitTlsPort?: number;
  mix?: Mix;
  /** Seeds the realistic mix; default 1. */
  seed?: number;
  /** Certificates to serve (a split fleet shares its parent's); default: generated now. */
  certificates?: SimCertificates;
  /** Concurrent connections, all listeners together, before new ones are closed at once. Default: what the open files limit leaves. */
  maxConnections?: number;
  /** Session bounds (idle timeout, line length, …); tests shorten the idle timeout. */
  limits?: Partial<SessionLimits>;
  /**
   * Client addresses whose connections pass the path personas' middleboxes
   * (path-personas.ts). Given: the path personas join the even mix. Default: none.
   */
  pathSources?: readonly string[];
}

export interface Fleet extends FleetDescription {
  /** Connections accepted so far, per persona name (refused strangers are not counted). */
  readonly stats: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export { DEFAULT_RANGE } from './address-range.js';

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const range = parseFleetRange('--range', opts.range ?? DEFAULT_RANGE);
  const served = opts.serve === undefined ? range : servedPart(range, opts.serve);
  const mix = opts.mix ?? 'even';
  if (!MIXES.includes(mix)) throw new UsageError(`--mix ${JSON.stringify(mix)}: expected one of ${MIXES.join(', ')}`);
  const seed = opts.seed ?? 1;
  const paths = fleetPathSources(opts.pathSources, mix);
  const ports = opts.implicitTlsPort === undefined ? 1 : 2;
  const listenerCount = served.size * ports;
  const limit = openFilesLimit();
  const budget = socketBudget(limit);
  if (listenerCount > budget.listeners) {
    throw new UsageError(
      `--range ${served.cidr}: ${served.size} addresses on ${ports} port(s) need ${listenerCount} listening sockets, more than one process may hold (${budget.listeners}, half of its ${limit} open files); \`stripscan sim\` serves such a range from several processes`,
    );
  }
  const certs = opts.certificates ?? (await generateSimCertificates());
  const assign = createAssigner(mix, seed, paths.personas());
  const gate: Gate = {
    assign,
    paths,
    stats: new Map<string, number>(paths.personas().map((p) => [p.name, 0])),
    contexts: createTlsContexts(certs),
    limits: { ...DEFAULT_SESSION_LIMITS, ...opts.limits },
    maxConnections: opts.maxConnections ?? budget.connections(listenerCount),
    sockets: new Set<Socket>(),
  };
  const hosts = Array.from({ length: served.size }, (_, i) => addressAt(served, i));
  const offset = indexInRange(range, hosts[0] as string);
  const listen = (port: number, implicit: boolean) =>
    bindEach(hosts, port, (i) =>
      createServer({ noDelay: true }, (socket) => accept(gate, socket, implicit, offset + i)),
    );

  const starttls = await listen(opts.port ?? 0, false);
  let implicit: Awaited<ReturnType<typeof listen>> | null = null;
  try {
    if (opts.implicitTlsPort !== undefined) implicit = await listen(opts.implicitTlsPort, true);
  } catch (err) {
    await closeAll(starttls.servers);
    throw err;
  }
  const listeners = [...starttls.servers, ...(implicit?.servers ?? [])];
  return new RunningFleet(range, starttls.port, implicit?.port ?? null, mix, seed, certs, assign, gate, listeners);
}

/** Path sources, checked: the path personas have no realistic weight, so they join the even mix only. */
export function fleetPathSources(values: readonly string[] | undefined, mix: Mix): PathSources {
  const paths = new PathSources(values ?? []);
  if (paths.enabled && mix !== 'even') {
    throw new UsageError(
      `--path-sources with --mix ${mix}: path personas join the even mix only (no published prevalence to weight them)`,
    );
  }
  return paths;
}

/** A CIDR inside the fleet's range (a part of a split fleet). */
function servedPart(range: FleetRange, text: string): FleetRange {
  const part = parseFleetRange('serve', text);
  if (part.family !== range.family || part.first < range.first || part.first + part.size > range.first + range.size) {
    throw new UsageError(`serve ${JSON.stringify(text)}: not inside the fleet range ${range.cidr}`);
  }
  return part;
}

interface Gate {
  assign: PersonaAssigner;
  paths: PathSources;
  stats: Map<string, number>;
  contexts: TlsContexts;
  limits: SessionLimits;
  maxConnections: number;
  /** Open sessions, so close() can end those that would otherwise idle for a minute (the silent persona). */
  sockets: Set<Socket>;
}

function accept(gate: Gate, socket: Socket, implicit: boolean, index: number): void {
  // Only loopback addresses listen, and Linux drops 127/8 arriving from elsewhere; checked anyway.
  if (!isLoopback(socket.remoteAddress) || gate.sockets.size >= gate.maxConnections) {
    socket.destroy();
    return;
  }
  gate.sockets.add(socket);
  socket.once('close', () => gate.sockets.delete(socket));
  const assigned: Persona = gate.assign(index);
  gate.stats.set(assigned.name, (gate.stats.get(assigned.name) ?? 0) + 1);
  // A path persona's box acts on plaintext SMTP from the path sources only (path-personas.ts).
  const persona = !implicit && gate.paths.has(socket.remoteAddress) ? onPathView(assigned) : assigned;
  serveSession(socket, { persona, contexts: gate.contexts, implicit, limits: gate.limits });
}

class RunningFleet extends FleetDescription implements Fleet {
  constructor(
    range: FleetRange,
    port: number,
    implicitTlsPort: number | null,
    mix: Mix,
    seed: number,
    certs: SimCertificates,
    assign: PersonaAssigner,
    private readonly gate: Gate,
    private readonly listeners: Server[],
  ) {
    super(range, port, implicitTlsPort, mix, seed, certs, assign, gate.paths);
  }

  get stats(): ReadonlyMap<string, number> {
    return this.gate.stats;
  }

  async close(): Promise<void> {
    const closing = closeAll(this.listeners);
    for (const socket of this.gate.sockets) socket.destroy();
    await closing;
  }
}
