/**
 * Policy × observation: the verdict for one MX address of one domain, from
 * the policies the domain published (or is listed with) and the probe of
 * that address under the MX host's name. Pure: every fact arrives as data.
 *
 * Which policy governs, in the order a sending MTA would apply them:
 * 1. DANE, when the MX host has DNSSEC-validated TLSA records (or a bogus
 *    TLSA answer, which makes the MX unusable: RFC 7672 §2.2); RFC 8461 §2
 *    lets no MTA-STS result override DANE;
 * 2. MTA-STS, when the domain's `_mta-sts` record announces a policy
 *    (`mode: none` governs too, and says there is none);
 * 3. the STARTTLS Everywhere preload list (retired: counted apart);
 * 4. nothing: `no-policy`.
 * Every source that applies is judged (`sourceVerdicts`), so an analyst can
 * count, for instance, domains whose only promise is the preload list.
 */
import type { ScanRecord } from '../record.js';
import { isUsableForSmtp, type DaneMatch, type TlsaRecord } from './dane.js';
import { mxMatchesPolicy, type MtaStsPolicy } from './mta-sts.js';
import { mxMatchesPreload, type PreloadPolicy } from './preload-list.js';

/** Wire values, stored in domain_policies.verdict. */
export const VERDICTS = [
  'policy-ok',
  'policy-violated',
  'policy-testing-violated',
  'no-policy',
  'policy-error',
  // The policy is known, but the probe never reached the point where it could be kept or broken (a
  // timeout, no connection, no SMTP): ours to explain, never counted as a violation.
  'policy-inconclusive',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export const POLICY_SOURCES = ['dane', 'mta-sts', 'preload', 'none'] as const;
export type PolicySource = (typeof POLICY_SOURCES)[number];

/** What the domain's MTA-STS lookup and fetch established. */
export type MtaStsState =
  | { kind: 'none' }
  /** A record announced a policy that could not be had (unreachable, malformed, redirected, too large…). */
  | { kind: 'error'; reason: string }
  | { kind: 'policy'; policy: MtaStsPolicy };

/** What DANE says about one MX host. */
export type DaneState =
  /** No TLSA records, or none DNSSEC-validated (insecure answers and insecure address records are ignored). */
  | { kind: 'none'; note: string | null }
  /** The TLSA lookup failed (SERVFAIL from a validating resolver is a bogus answer; or timed out): the MX is unusable. */
  | { kind: 'unusable'; reason: string }
  | { kind: 'tlsa'; records: TlsaRecord[] };

/** The probe fields the verdict reads. */
export type ProbeView = Pick<ScanRecord, 'outcome' | 'cert_status' | 'cert_name_matches'>;

export interface MxFacts {
  mxHost: string;
  mtaSts: MtaStsState;
  dane: DaneState;
  preload: PreloadPolicy | null;
  /** The probe of this address under the MX name; null when the MX host has no usable address. */
  probe: ProbeView | null;
  /** Why there is no probe (the address lookup's status), when probe is null. */
  noProbeReason?: string;
  /** The DANE match of the chain the probe saw; null without TLSA records or a certificate. */
  daneMatch: DaneMatch | null;
}

export interface MxVerdict {
  verdict: Verdict;
  source: PolicySource;
  /** enforce, testing or none for MTA-STS and the preload list; `dane` for DANE; '' for no policy. */
  mode: string;
  /** Every source that applies to this MX, governing one first. */
  sources: PolicySource[];
  sourceVerdicts: Partial<Record<PolicySource, Verdict>>;
  /** Whether the MX host matches the governing policy's MX patterns; null when the policy has none (DANE, none). */
  mxMatches: boolean | null;
  /** Why, in short words: `starttls-stripped`, `mx-not-in-policy`, `cert-untrusted`, `dane-no-match`… */
  reasons: string[];
}

type Judged = { verdict: Verdict; reasons: string[]; mxMatches: boolean | null; mode: string };

/** Outcomes after which a sender bound by the policy must not deliver: STARTTLS missing, stripped, refused, TLS failing. */
const TRANSPORT_FAILURES: Partial<Record<ScanRecord['outcome'], string>> = {
  'no-starttls': 'starttls-missing',
  'starttls-stripped': 'starttls-stripped',
  'starttls-refused': 'starttls-refused',
  'tls-failed': 'tls-failed',
};

export function judgeMx(facts: MxFacts): MxVerdict {
  const judged = new Map<PolicySource, Judged>();
  if (facts.dane.kind !== 'none') judged.set('dane', judgeDane(facts));
  if (facts.mtaSts.kind !== 'none') judged.set('mta-sts', judgeMtaSts(facts));
  if (facts.preload !== null) judged.set('preload', judgePreload(facts, facts.preload));
  const sources = [...judged.keys()];
  const source = sources[0] ?? 'none';
  const governing = judged.get(source) ?? { verdict: 'no-policy', reasons: [], mxMatches: null, mode: '' };
  const reasons = [...governing.reasons];
  if (facts.dane.kind === 'none' && facts.dane.note !== null) reasons.push(facts.dane.note);
  return {
    verdict: governing.verdict,
    source,
    mode: governing.mode,
    sources: sources.length > 0 ? sources : ['none'],
    sourceVerdicts: Object.fromEntries([...judged].map(([s, j]) => [s, j.verdict])),
    mxMatches: governing.mxMatches,
    reasons,
  };
}

function judgeDane(facts: MxFacts): Judged {
  const dane = facts.dane;
  if (dane.kind === 'unusable')
    return { verdict: 'policy-error', reasons: [dane.reason], mxMatches: null, mode: 'dane' };
  if (dane.kind !== 'tlsa') throw new Error('judgeDane without TLSA records');
  const reasons = transportReasons(facts.probe);
  if (facts.probe?.outcome === 'tls-ok') {
    if (!dane.records.some(isUsableForSmtp)) {
      // RFC 7672 §2.2: TLSA records that are all unusable still make STARTTLS mandatory, without authentication.
      return { verdict: 'policy-ok', reasons: ['dane-no-usable-records'], mxMatches: null, mode: 'dane' };
    }
    if (facts.daneMatch?.matched !== true) {
      reasons.push('dane-no-match', ...(facts.daneMatch?.matched === false ? facts.daneMatch.reasons : []));
    }
  }
  return conclude(reasons, facts, 'enforce', null, 'dane');
}

function judgeMtaSts(facts: MxFacts): Judged {
  const sts = facts.mtaSts;
  if (sts.kind === 'error') return { verdict: 'policy-error', reasons: [sts.reason], mxMatches: null, mode: '' };
  if (sts.kind !== 'policy') throw new Error('judgeMtaSts without a policy');
  const { policy } = sts;
  if (policy.mode === 'none')
    return { verdict: 'no-policy', reasons: ['mta-sts-mode-none'], mxMatches: null, mode: 'none' };
  const mxMatches = mxMatchesPolicy(facts.mxHost, policy.mx);
  // RFC 8461 §4.1–4.2: deliver only to an MX matching a pattern, over TLS, with a certificate valid for the
  // MX name through a trusted chain.
  const reasons = [
    ...(mxMatches ? [] : ['mx-not-in-policy']),
    ...transportReasons(facts.probe),
    ...certReasons(facts.probe),
  ];
  return conclude(reasons, facts, policy.mode, mxMatches, policy.mode);
}

function judgePreload(facts: MxFacts, preload: PreloadPolicy): Judged {
  const mxMatches = mxMatchesPreload(facts.mxHost, preload.mxs);
  const reasons = [
    ...(mxMatches ? [] : ['mx-not-in-policy']),
    ...transportReasons(facts.probe),
    ...certReasons(facts.probe),
  ];
  return conclude(reasons, facts, preload.mode, mxMatches, preload.mode);
}

function conclude(
  reasons: string[],
  facts: MxFacts,
  mode: 'enforce' | 'testing',
  mxMatches: boolean | null,
  modeLabel: string,
): Judged {
  if (reasons.length > 0) {
    return {
      verdict: mode === 'enforce' ? 'policy-violated' : 'policy-testing-violated',
      reasons,
      mxMatches,
      mode: modeLabel,
    };
  }
  if (facts.probe === null) {
    return {
      verdict: 'policy-inconclusive',
      reasons: [facts.noProbeReason ?? 'mx-no-address'],
      mxMatches,
      mode: modeLabel,
    };
  }
  if (facts.probe.outcome !== 'tls-ok') {
    return { verdict: 'policy-inconclusive', reasons: [`probe-${facts.probe.outcome}`], mxMatches, mode: modeLabel };
  }
  return { verdict: 'policy-ok', reasons: [], mxMatches, mode: modeLabel };
}

function transportReasons(probe: ProbeView | null): string[] {
  const reason = probe === null ? undefined : TRANSPORT_FAILURES[probe.outcome];
  return reason === undefined ? [] : [reason];
}

/** MTA-STS and the preload list want a certificate valid for the MX name through a trusted chain. */
function certReasons(probe: ProbeView | null): string[] {
  if (probe?.outcome !== 'tls-ok') return [];
  const reasons: string[] = [];
  if (probe.cert_status !== 'valid') reasons.push(`cert-${probe.cert_status ?? 'missing'}`);
  if (probe.cert_name_matches !== true) reasons.push('cert-name-mismatch');
  return reasons;
}
