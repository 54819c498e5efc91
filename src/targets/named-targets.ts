/**
 * Targets that carry a name, as ZGrab2's input lines do (`ip,domain`): the
 * probe sends the name as SNI and holds the certificate to it.
 *
 * A target string is `SPEC` (an address, CIDR block or range) or
 * `ADDRESS,NAME`, where NAME is a DNS name (isHostName) or an IP literal. The
 * strings are kept as written (in the campaign spec too), and every consumer
 * splits them here: the addresses join the target set, whose permutation
 * alone decides the order; the names ride along in TargetNames, a map from
 * address to the probes it gets. An address listed with two names is probed
 * once per name, and once without a name only if it was also listed bare
 * (alone, or inside a listed block or range).
 */
import { isHostName, normalizeHostName } from '../dns-name.js';
import { UsageError } from '../errors.js';
import type { AddressRange } from './address-range.js';
import { formatIpv4, parseIpv4 } from './ipv4.js';
import { formatIpv6, parseIpv6 } from './ipv6.js';
import { bigintArithmetic, normalize, numberArithmetic, type Arithmetic, type RangeList } from './range-list.js';
import { parseTargetSpec, quoteSpec } from './target-spec.js';

export interface ParsedTarget {
  range: AddressRange;
  /** The name, normalized (lower case, no final dot; an IP literal in canonical form); null for a bare spec. */
  name: string | null;
}

/** A DNS name or an IP literal, normalized; UsageError naming it (and its target) otherwise. */
function parseName(text: string, target: string): string {
  const v4 = parseIpv4(text);
  if (v4 !== null) return formatIpv4(v4);
  const v6 = parseIpv6(text);
  if (v6 !== null) return formatIpv6(v6);
  if (isHostName(text)) return normalizeHostName(text);
  throw new UsageError(
    `target ${quoteSpec(target)}: ${quoteSpec(text)} is not a host name (two or more DNS labels) or an IP address`,
  );
}

/** Parse one target string; throws UsageError naming it when the spec or the name is bad. */
export function parseTarget(text: string): ParsedTarget {
  const comma = text.indexOf(',');
  if (comma < 0) return { range: parseTargetSpec(text), name: null };
  const spec = text.slice(0, comma).trim();
  const range = parseTargetSpec(spec);
  if (range.first !== range.last) {
    throw new UsageError(`target ${quoteSpec(text)}: a name goes with one address, not a block or range`);
  }
  return { range, name: parseName(text.slice(comma + 1).trim(), text) };
}

/** The address of a one-address range, as the scan plan writes it (formatIpv4 / formatIpv6). */
function addressOf(range: AddressRange): string {
  return range.family === 4 ? formatIpv4(range.first) : formatIpv6(range.first);
}

const BARE: readonly (string | undefined)[] = [undefined];

export class TargetNames {
  static readonly NONE = new TargetNames(new Map());

  private constructor(private readonly byAddress: ReadonlyMap<string, readonly (string | undefined)[]>) {}

  /** Addresses that carry at least one name. */
  get size(): number {
    return this.byAddress.size;
  }

  /**
   * The probes `address` gets, in order: a name each, `undefined` for the
   * probe without a name. `address` as the scan plan writes it.
   */
  probesOf(address: string): readonly (string | undefined)[] {
    return this.byAddress.get(address) ?? BARE;
  }

  /** Split target strings into the specs of the target set and the names that ride along. */
  static split(targets: readonly string[]): { specs: readonly string[]; names: TargetNames } {
    // A hitlist of millions without names passes through as it is, uncopied.
    if (!targets.some((t) => t.includes(','))) return { specs: targets, names: TargetNames.NONE };
    const specs: string[] = [];
    const bare: AddressRange[] = [];
    const named = new Map<string, { range: AddressRange; names: string[] }>();
    for (const target of targets) {
      const { range, name } = parseTarget(target);
      if (name === null) {
        specs.push(target);
        bare.push(range);
        continue;
      }
      const address = addressOf(range);
      const entry = named.get(address);
      if (entry === undefined) {
        specs.push(address);
        named.set(address, { range, names: [name] });
      } else if (!entry.names.includes(name)) {
        entry.names.push(name);
      }
    }
    const bareLists = rangeLists(bare);
    const byAddress = new Map<string, readonly (string | undefined)[]>();
    for (const [address, { range, names }] of named) {
      const listedBare =
        range.family === 4
          ? contains(numberArithmetic, bareLists.v4, range.first)
          : contains(bigintArithmetic, bareLists.v6, range.first);
      byAddress.set(address, listedBare ? [undefined, ...names] : names);
    }
    return { specs, names: new TargetNames(byAddress) };
  }
}

function rangeLists(ranges: readonly AddressRange[]): { v4: RangeList<number>; v6: RangeList<bigint> } {
  const v4: [number[], number[]] = [[], []];
  const v6: [bigint[], bigint[]] = [[], []];
  for (const r of ranges) {
    if (r.family === 4) {
      v4[0].push(r.first);
      v4[1].push(r.last);
    } else {
      v6[0].push(r.first);
      v6[1].push(r.last);
    }
  }
  return { v4: normalize(numberArithmetic, ...v4), v6: normalize(bigintArithmetic, ...v6) };
}

/** Is `value` in the normalized list: binary search for the last range starting at or before it. */
function contains<T>(ar: Arithmetic<T>, list: RangeList<T>, value: T): boolean {
  let lo = 0;
  let hi = list.firsts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ar.less(value, list.firsts[mid] as T)) hi = mid - 1;
    else if (ar.less(list.lasts[mid] as T, value)) lo = mid + 1;
    else return true;
  }
  return false;
}
