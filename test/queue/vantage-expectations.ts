/**
 * What a campaign run from several vantages must find, computed from the
 * simulated fleet's manifest alone (never from the classifier or the store):
 * the record each vantage sees is the manifest's `expectFrom[source]` for the
 * source address its workers bind, or `expect` from any other address.
 *
 * Path-dependent (issue 13): STARTTLS advertised and negotiated from one
 * vantage (`tls-ok` with `starttls_advertised`), and from another absent,
 * masked, refused or failing (`no-starttls`, `starttls-stripped`,
 * `starttls-refused`, `tls-failed`). A host one vantage could not reach or
 * timed out on is inconclusive, never path-dependent: `connect-*`, `timeout`,
 * `no-banner` and the like are in neither set.
 */
import type { ExpectedRecord, ManifestEntry } from '../../src/sim/index.js';

export interface VantageSource {
  /** The campaign's vantage label. */
  vantage: string;
  /** The address its workers bind (`--source-address`). */
  source: string;
}

export interface PathDependentHost {
  ip: string;
  port: number;
  /** Outcome each vantage is expected to record, by label. */
  seen: Record<string, string>;
  /** Vantages that see STARTTLS work, and those that see it withheld. */
  working: string[];
  withheld: string[];
}

const WITHHELD = new Set(['no-starttls', 'starttls-stripped', 'starttls-refused', 'tls-failed']);

/** The record a scanner bound to `source` should write for this manifest entry. */
export function expectedFrom(entry: ManifestEntry, source: string): ExpectedRecord {
  return entry.expectFrom?.[source] ?? entry.expect;
}

export function startTlsWorks(record: ExpectedRecord): boolean {
  return record.outcome === 'tls-ok' && record.starttls_advertised === true;
}

export function startTlsWithheld(record: ExpectedRecord): boolean {
  return record.outcome !== undefined && WITHHELD.has(record.outcome);
}

/**
 * The hosts (ip, port of the manifest entries given) on which at least one
 * vantage sees STARTTLS work and at least one other sees it withheld, in
 * manifest order. Pass only the entries of the campaign's targets and port.
 */
export function expectedPathDependent(
  manifest: Iterable<ManifestEntry>,
  vantages: readonly VantageSource[],
): PathDependentHost[] {
  const out: PathDependentHost[] = [];
  for (const entry of manifest) {
    const seen: Record<string, string> = {};
    const working: string[] = [];
    const withheld: string[] = [];
    for (const { vantage, source } of vantages) {
      const record = expectedFrom(entry, source);
      seen[vantage] = record.outcome ?? 'unknown';
      if (startTlsWorks(record)) working.push(vantage);
      else if (startTlsWithheld(record)) withheld.push(vantage);
    }
    if (working.length > 0 && withheld.length > 0)
      out.push({ ip: entry.ip, port: entry.port, seen, working, withheld });
  }
  return out;
}
