/**
 * The simulated fleet: one listener per port serving every address of a
 * loopback range, the persona picked from the local address the client
 * dialled. Linux delivers all of 127.0.0.0/8 to a socket bound on 0.0.0.0,
 * so 65,536 hosts cost one file descriptor.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { UsageError } from '../errors.js';
import { addressAt, indexInRange, isLoopback, parseFleetRange, type FleetRange } from './address-range.js';
import { createAssigner, MIXES, type Mix, type PersonaAssigner } from './assignment.js';
import { generateSimCertificates, type SimCertificates } from './certificates.js';
import { expectedRecord } from './expectations.js';
import type { ExpectedRecord, Persona } from './persona.js';
import { PERSONAS } from './personas.js';
import { DEFAULT_SESSION_LIMITS, serveSession, type SessionLimits } from './session.js';
import { createTlsContexts, type TlsContexts } from './tls-contexts.js';

export interface FleetOptions {
  /** Loopback CIDR (inside 127.0.0.0/8) or ::1; default 127.16.0.0/16. */
  range?: string;
  /** STARTTLS port; 0 picks a free one. Default 0. */
  port?: number;
  /** Port that speaks TLS from the first byte (port-465 style); absent: none. 0 picks a free one. */
  implicitTlsPort?: number;
  mix?: Mix;
  /** Seeds the realistic mix; default 1. */
  seed?: number;
  /** Concurrent connections per listener before new ones are refused. Default 50,000. */
  maxConnections?: number;
  /** Session bounds (idle timeout, line length, …); tests shorten the idle timeout. */
  limits?: Partial<SessionLimits>;
}

export interface ManifestEntry {
  ip: string;
  port: number;
  persona: string;
  /** Fields for a scanner that forces STARTTLS and trusts the fleet's CA. */
  expect: ExpectedRecord;
}

export interface ScannerAssumptions {
  /** Whether the scanner sends STARTTLS when it is not advertised. Default true. */
  forceStartTls?: boolean;
}

export interface Fleet {
  readonly range: FleetRange;
  readonly port: number;
  /** null when no implicit-TLS port was asked for. */
  readonly implicitTlsPort: number | null;
  readonly mix: Mix;
  readonly seed: number;
  /** PEM of the CA behind the "valid" certificates: give it to the scanner's --ca-file. */
  readonly caPem: string;
  readonly personas: readonly Persona[];
  /** Connections accepted so far, per persona name (refused strangers are not counted). */
  readonly stats: ReadonlyMap<string, number>;
  personaOf(ip: string): Persona;
  expectedFor(ip: string, port: number, scanner?: ScannerAssumptions): ExpectedRecord;
  manifest(): Iterable<ManifestEntry>;
  close(): Promise<void>;
}

export const DEFAULT_RANGE = '127.16.0.0/16';

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const range = parseFleetRange('--range', opts.range ?? DEFAULT_RANGE);
  const mix = opts.mix ?? 'even';
  if (!MIXES.includes(mix)) throw new UsageError(`--mix ${JSON.stringify(mix)}: expected one of ${MIXES.join(', ')}`);
  const seed = opts.seed ?? 1;
  const limits: SessionLimits = { ...DEFAULT_SESSION_LIMITS, ...opts.limits };
  const certs = await generateSimCertificates();
  const contexts = createTlsContexts(certs);
  const assign = createAssigner(mix, seed);
  const stats = new Map<string, number>(PERSONAS.map((p) => [p.name, 0]));
  const gate: Gate = { range, assign, stats, contexts, limits };

  const listeners: Server[] = [];
  try {
    const starttls = await listen(gate, opts.port ?? 0, false, opts.maxConnections);
    listeners.push(starttls.server);
    const implicit =
      opts.implicitTlsPort === undefined ? null : await listen(gate, opts.implicitTlsPort, true, opts.maxConnections);
    if (implicit !== null) listeners.push(implicit.server);
    return new RunningFleet(range, starttls.port, implicit?.port ?? null, mix, seed, certs, assign, stats, listeners);
  } catch (err) {
    await Promise.all(listeners.map(closeServer));
    throw err;
  }
}

interface Gate {
  range: FleetRange;
  assign: PersonaAssigner;
  stats: Map<string, number>;
  contexts: TlsContexts;
  limits: SessionLimits;
}

async function listen(
  gate: Gate,
  port: number,
  implicit: boolean,
  maxConnections = 50_000,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ noDelay: true }, (socket) => accept(gate, socket, implicit));
  server.maxConnections = maxConnections;
  // 0.0.0.0 receives every 127.x.y.z; strangers are turned away in accept(). ::1 needs its own bind.
  const host = gate.range.family === 6 ? '::1' : '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fleet listener has no TCP address');
  return { server, port: address.port };
}

function accept(gate: Gate, socket: Socket, implicit: boolean): void {
  const index = indexInRange(gate.range, socket.localAddress ?? '');
  // Loopback-only by design: a peer from elsewhere, or a local address outside the fleet, gets nothing.
  if (!isLoopback(socket.remoteAddress) || index === -1) {
    socket.destroy();
    return;
  }
  const persona = gate.assign(index);
  gate.stats.set(persona.name, (gate.stats.get(persona.name) ?? 0) + 1);
  serveSession(socket, { persona, contexts: gate.contexts, implicit, limits: gate.limits });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

class RunningFleet implements Fleet {
  readonly personas = PERSONAS;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly range: FleetRange,
    readonly port: number,
    readonly implicitTlsPort: number | null,
    readonly mix: Mix,
    readonly seed: number,
    private readonly certs: SimCertificates,
    private readonly assign: PersonaAssigner,
    readonly stats: Map<string, number>,
    private readonly listeners: Server[],
  ) {
    // Tracked so close() can end sessions that would otherwise idle for a minute (the silent persona).
    for (const server of listeners) {
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      });
    }
  }

  get caPem(): string {
    return this.certs.caPem;
  }

  personaOf(ip: string): Persona {
    const index = indexInRange(this.range, ip);
    if (index === -1) throw new RangeError(`${ip} is not in the fleet range ${this.range.cidr}`);
    return this.assign(index);
  }

  expectedFor(ip: string, port: number, scanner: ScannerAssumptions = {}): ExpectedRecord {
    if (port !== this.port && port !== this.implicitTlsPort) {
      throw new RangeError(`port ${port} is not served by the fleet (ports: ${this.port}, ${this.implicitTlsPort})`);
    }
    return expectedRecord(this.personaOf(ip), this.certs, {
      implicitTls: port === this.implicitTlsPort,
      forceStartTls: scanner.forceStartTls ?? true,
    });
  }

  *manifest(): Iterable<ManifestEntry> {
    const ports = this.implicitTlsPort === null ? [this.port] : [this.port, this.implicitTlsPort];
    for (let index = 0; index < this.range.size; index++) {
      const ip = addressAt(this.range, index);
      for (const port of ports) {
        yield { ip, port, persona: this.assign(index).name, expect: this.expectedFor(ip, port) };
      }
    }
  }

  async close(): Promise<void> {
    const closing = this.listeners.map(closeServer);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
  }
}
