/**
 * What a fleet is, apart from its sockets: the range, the persona at each
 * address, the ports, the certificates and what a scanner should record.
 * The same for a fleet served from this process (fleet.ts) and for one
 * split over several (fleet-parts.ts), whose parent serves nothing itself.
 */
import { addressAt, indexInRange, type FleetRange } from './address-range.js';
import type { Mix, PersonaAssigner } from './assignment.js';
import type { SimCertificates } from './certificates.js';
import { expectedRecord } from './expectations.js';
import { onPathView } from './path-personas.js';
import { NO_PATH_SOURCES, type PathSources } from './path-sources.js';
import type { ExpectedRecord, Persona } from './persona.js';

export interface ManifestEntry {
  ip: string;
  port: number;
  persona: string;
  /** Fields for a scanner that forces STARTTLS and trusts the fleet's CA (connecting from any address not in expectFrom). */
  expect: ExpectedRecord;
  /**
   * Path personas only (fleet started with path sources), on the STARTTLS
   * port: the fields for a scanner connecting from each path source, keyed
   * by that source address.
   */
  expectFrom?: Record<string, ExpectedRecord>;
}

export interface ScannerAssumptions {
  /** Whether the scanner sends STARTTLS when it is not advertised. Default true. */
  forceStartTls?: boolean;
  /** The scanner's source address: a path source sees a path persona through its box. Default: none of them. */
  source?: string;
}

export class FleetDescription {
  readonly personas: readonly Persona[];

  constructor(
    readonly range: FleetRange,
    readonly port: number,
    /** null when no implicit-TLS port was asked for. */
    readonly implicitTlsPort: number | null,
    readonly mix: Mix,
    readonly seed: number,
    protected readonly certs: SimCertificates,
    protected readonly assign: PersonaAssigner,
    /** Client addresses the path personas' boxes act on; none by default. */
    readonly pathSources: PathSources = NO_PATH_SOURCES,
  ) {
    this.personas = pathSources.personas();
  }

  /** PEM of the CA behind the "valid" certificates: give it to the scanner's --ca-file. */
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
    const implicitTls = port === this.implicitTlsPort;
    const persona = this.personaOf(ip);
    // The boxes act on plaintext SMTP only: the implicit-TLS port is clean from everywhere.
    const seen = !implicitTls && this.pathSources.has(scanner.source) ? onPathView(persona) : persona;
    return expectedRecord(seen, this.certs, { implicitTls, forceStartTls: scanner.forceStartTls ?? true });
  }

  *manifest(): Iterable<ManifestEntry> {
    const ports = this.implicitTlsPort === null ? [this.port] : [this.port, this.implicitTlsPort];
    for (let index = 0; index < this.range.size; index++) {
      const ip = addressAt(this.range, index);
      for (const port of ports) {
        const persona = this.assign(index);
        const entry: ManifestEntry = { ip, port, persona: persona.name, expect: this.expectedFor(ip, port) };
        if (persona.onPath !== undefined && port === this.port) {
          entry.expectFrom = Object.fromEntries(
            this.pathSources.list.map((source) => [source, this.expectedFor(ip, port, { source })]),
          );
        }
        yield entry;
      }
    }
  }
}
