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
import type { ExpectedRecord, Persona } from './persona.js';
import { PERSONAS } from './personas.js';

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

export class FleetDescription {
  readonly personas = PERSONAS;

  constructor(
    readonly range: FleetRange,
    readonly port: number,
    /** null when no implicit-TLS port was asked for. */
    readonly implicitTlsPort: number | null,
    readonly mix: Mix,
    readonly seed: number,
    protected readonly certs: SimCertificates,
    protected readonly assign: PersonaAssigner,
  ) {}

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
}
