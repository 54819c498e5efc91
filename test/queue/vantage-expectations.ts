/**
 * What a campaign run from several vantages must find, computed from the
 * simulated fleet's manifest alone (never from the classifier or the store):
 * the record each vantage sees is the manifest's `expectFrom[source]` for the
 * source address its workers bind, or `expect` from any other address.
 *
 * The verdict follows docs/schema.md ("Vantage comparison"), first rule that
 * applies:
 * 1. inconclusive when some vantage got no answer to the STARTTLS question
 *    (no record, `connect-*`, `no-banner`, `not-smtp`, `smtp-rejected`,
 *    `ehlo-failed`, `timeout`): a host one vantage could not reach or timed
 *    out on is never path-dependent, however the others disagree;
 * 2. path-dependent when every vantage answered, some negotiated TLS
 *    (`tls-ok`) and some saw STARTTLS absent, masked, refused or failing
 *    (`no-starttls`, `starttls-stripped`, `starttls-refused`, `tls-failed`);
 * 3. consistent when every vantage answered with the same outcome;
 * 4. otherwise inconclusive (the answers differ and none negotiated TLS).
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

export type Verdict = 'path-dependent' | 'consistent' | 'inconclusive';

/** A vantage's answer to the STARTTLS question, or null when it got none (rule 1). */
function answer(outcome: string | undefined): 'works' | 'withheld' | null {
  if (outcome === 'tls-ok') return 'works';
  if (outcome !== undefined && WITHHELD.has(outcome)) return 'withheld';
  return null;
}

/**
 * The verdict of one host from each vantage's outcome (`undefined` or
 * `'no-record'` where a vantage has no record of it), by docs/schema.md's rules.
 */
export function verdictOf(outcomes: readonly (string | undefined)[]): Verdict {
  const answers = outcomes.map(answer);
  if (answers.some((a) => a === null)) return 'inconclusive';
  if (answers.includes('works') && answers.includes('withheld')) return 'path-dependent';
  if (new Set(outcomes).size === 1) return 'consistent';
  return 'inconclusive';
}

/** The record a scanner bound to `source` should write for this manifest entry. */
export function expectedFrom(entry: ManifestEntry, source: string): ExpectedRecord {
  return entry.expectFrom?.[source] ?? entry.expect;
}

/**
 * STARTTLS advertised and negotiated. On a STARTTLS port every `tls-ok` is
 * advertised (a forced STARTTLS that works unadvertised is hidden-starttls,
 * `starttls-stripped`: classification.md rule 7), so the verdict needs only
 * the outcome; this stricter check is for records.
 */
export function startTlsWorks(record: ExpectedRecord): boolean {
  return record.outcome === 'tls-ok' && record.starttls_advertised === true;
}

export function startTlsWithheld(record: ExpectedRecord): boolean {
  return record.outcome !== undefined && WITHHELD.has(record.outcome);
}

/**
 * The hosts (ip, port of the manifest entries given) whose verdict is
 * path-dependent: every vantage answered, at least one sees STARTTLS work and
 * at least one sees it withheld; in manifest order. Pass only the entries of
 * the campaign's targets and port.
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
      if (answer(record.outcome) === 'works') working.push(vantage);
      else if (answer(record.outcome) === 'withheld') withheld.push(vantage);
    }
    // Rule 1 before rule 2: a third vantage that could not reach the host makes it inconclusive.
    if (verdictOf(Object.values(seen)) === 'path-dependent')
      out.push({ ip: entry.ip, port: entry.port, seen, working, withheld });
  }
  return out;
}
