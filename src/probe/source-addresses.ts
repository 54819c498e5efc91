/**
 * The addresses outgoing probe connections are bound to (`--source-address`,
 * repeatable), taken in turn per connection as ZMap's `--source-ip` range is:
 * a scan spread over several local addresses, or — on one machine — workers
 * that look like different vantage points to a server that tells clients
 * apart by address (the simulated fleet's path personas do).
 *
 * Checked before the first probe: every value an IP literal, a source of the
 * target's family for every family the targets hold, and every address one
 * this machine has (a bind that fails with EADDRNOTAVAIL names it).
 */
import { isIP, createServer } from 'node:net';
import { UsageError } from '../errors.js';

export type IpFamily = 4 | 6;

export class SourceAddresses {
  private readonly v4: readonly string[];
  private readonly v6: readonly string[];
  private turn4 = 0;
  private turn6 = 0;

  /** Values as given on the command line; throws a UsageError naming the first bad one. */
  constructor(values: readonly string[]) {
    const seen = new Set<string>();
    const v4: string[] = [];
    const v6: string[] = [];
    for (const value of values) {
      const family = isIP(value);
      if (family === 0) {
        throw new UsageError(`--source-address ${JSON.stringify(value)}: expected an IPv4 or IPv6 address literal`);
      }
      if (seen.has(value)) throw new UsageError(`--source-address ${value}: given twice`);
      seen.add(value);
      (family === 4 ? v4 : v6).push(value);
    }
    if (seen.size === 0) throw new UsageError('--source-address: no address given');
    this.v4 = v4;
    this.v6 = v6;
  }

  get addresses(): readonly string[] {
    return [...this.v4, ...this.v6];
  }

  /** The next address of `target`'s family, in turn; undefined when none was given (refused up front by checkFamilies). */
  forTarget(target: string): string | undefined {
    if (isIP(target) === 6) {
      if (this.v6.length === 0) return undefined;
      return this.v6[this.turn6++ % this.v6.length];
    }
    if (this.v4.length === 0) return undefined;
    return this.v4[this.turn4++ % this.v4.length];
  }

  /** Refuses a target family for which no source address was given: those probes could not be bound. */
  checkFamilies(families: Iterable<IpFamily>): void {
    for (const family of families) {
      if ((family === 4 ? this.v4 : this.v6).length === 0) {
        throw new UsageError(
          `--source-address ${this.addresses.join(', ')}: the targets include IPv${family} addresses and no IPv${family} source address was given`,
        );
      }
    }
  }

  /**
   * Binds each address once (a listener on port 0, closed at once): an address
   * this machine does not have fails here with EADDRNOTAVAIL, before any probe.
   */
  async checkBindable(): Promise<void> {
    for (const address of this.addresses) {
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', (err: NodeJS.ErrnoException) => {
          const why =
            err.code === 'EADDRNOTAVAIL' ? 'this machine has no such address' : (err.code ?? String(err.message));
          reject(new UsageError(`--source-address ${address}: cannot bind it (${why})`, { cause: err }));
        });
        server.listen({ host: address, port: 0, exclusive: true }, () => server.close(() => resolve()));
      });
    }
  }
}

/** The families present in a target set (its IPv4 count and size). */
export function familiesOf(set: { ipv4Count: number; size: number }): IpFamily[] {
  const families: IpFamily[] = [];
  if (set.ipv4Count > 0) families.push(4);
  if (set.size > set.ipv4Count) families.push(6);
  return families;
}

/** `--source-address` values → checked SourceAddresses, or undefined when none were given. */
export async function sourceAddressesFrom(
  values: readonly string[] | undefined,
  families: Iterable<IpFamily>,
): Promise<SourceAddresses | undefined> {
  if (values === undefined || values.length === 0) return undefined;
  const sources = new SourceAddresses(values);
  sources.checkFamilies(families);
  await sources.checkBindable();
  return sources;
}
