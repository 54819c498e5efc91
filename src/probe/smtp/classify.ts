/**
 * Observations → {outcome, fingerprints, error_stage, error}.
 *
 * A false "starttls-stripped" accuses a network, so stripping is only called
 * on evidence that a box on the path altered the exchange; everything else
 * gets the plainest outcome that fits. The rules and their sources are
 * explained in docs/classification.md; facts are from
 * /work/shared/FIELD-NOTES.md §1 unless noted.
 */
import { FINGERPRINTS, type ErrorStage, type Fingerprint, type Outcome } from '../../record.js';
import { findCorruptedEcho, isMaskedBanner, isMaskedKeyword } from './fingerprints.js';
import type { Observations } from './observations.js';

export interface Classification {
  outcome: Outcome;
  fingerprints: Fingerprint[];
  error_stage: ErrorStage | null;
  /** null exactly when error_stage is null. */
  error: string | null;
}

/** Facts derived once from the observations and shared by the rules. */
interface Evidence {
  fingerprints: ReadonlySet<Fingerprint>;
  /** Why the exchange counts as stripped, or null: the rule in stripEvidence(). */
  stripped: string | null;
  starttlsCode: number | null;
}

const is2xx = (code: number | null): boolean => code !== null && code >= 200 && code < 300;
const STARTTLS_GO_AHEAD = 220;

interface FingerprintDetector {
  fingerprint: Fingerprint;
  detect(o: Observations): string | null;
}

/** Each returns a short description of the evidence, or null. */
const DETECTORS: readonly FingerprintDetector[] = [
  {
    // Cisco ASA ESMTP inspection masks EHLO keywords with X's (`250-XXXXXXXA`).
    fingerprint: 'masked-ehlo-keyword',
    detect: (o) => o.ehloKeywords.find(isMaskedKeyword) ?? null,
  },
  {
    // Cisco PIX MailGuard replaces the banner with asterisks (keeping '2' and '0').
    fingerprint: 'masked-banner',
    detect: (o) => (o.banner !== null && isMaskedBanner(o.banner.texts) ? 'masked banner' : null),
  },
  {
    // A server echoing a command other than the one we sent proves the bytes were rewritten on the path.
    fingerprint: 'corrupted-command-echo',
    detect: (o) =>
      o.starttlsReply !== null && !is2xx(o.starttlsReply.code)
        ? findCorruptedEcho(o.starttlsReply.texts, 'STARTTLS')
        : null,
  },
  {
    // STARTTLS works but was not advertised: the keyword was deleted from the EHLO reply on the way.
    fingerprint: 'hidden-starttls',
    detect: (o) =>
      o.starttlsSent && !o.starttlsAdvertised && o.starttlsReply?.code === STARTTLS_GO_AHEAD ? 'hidden-starttls' : null,
  },
];

function gatherEvidence(o: Observations): Evidence {
  const found = new Map<Fingerprint, string>();
  for (const d of DETECTORS) {
    const detail = d.detect(o);
    if (detail !== null) found.set(d.fingerprint, detail);
  }
  // Stripped iff a mask stands where STARTTLS should be (no genuine STARTTLS beside it), the STARTTLS we sent
  // arrived altered, or STARTTLS was hidden. A masked banner alone is a firewall on the server's side, not proof.
  let stripped: string | null = null;
  const echo = found.get('corrupted-command-echo');
  const masked = found.get('masked-ehlo-keyword');
  if (echo !== undefined) stripped = `corrupted-command-echo: ${echo}`;
  else if (found.has('hidden-starttls')) stripped = 'hidden-starttls';
  else if (masked !== undefined && !o.starttlsAdvertised) stripped = `masked-ehlo-keyword: ${masked}`;
  return { fingerprints: new Set(found.keys()), stripped, starttlsCode: o.starttlsReply?.code ?? null };
}

interface Rule {
  /** One line: why this outcome follows from these observations. */
  why: string;
  /** Where the fact behind the rule comes from (FIELD-NOTES = /work/shared/FIELD-NOTES.md). */
  source: string;
  when(o: Observations, e: Evidence): boolean;
  outcome(o: Observations, e: Evidence): Outcome;
  /** Stage and reason; the default is the recorded failure, if any. */
  stage?(o: Observations, e: Evidence): { stage: ErrorStage; error: string } | null;
}

const failureOr =
  (stage: ErrorStage, error: (o: Observations, e: Evidence) => string) =>
  (o: Observations, e: Evidence): { stage: ErrorStage; error: string } =>
    o.failure ?? { stage, error: error(o, e) };

/** First match wins; the order follows the exchange, so an early failure hides later ones. */
export const RULES: readonly Rule[] = [
  {
    why: 'No TCP connection: nothing about SMTP is known.',
    source: 'ZGrab2 status values (FIELD-NOTES §3)',
    when: (o) => o.connectFailure !== null,
    outcome: (o) =>
      o.connectFailure?.code === 'ECONNREFUSED'
        ? 'connect-refused'
        : o.connectFailure?.timedOut === true
          ? 'connect-timeout'
          : 'connect-error',
    stage: (o) => ({ stage: 'connect', error: o.connectFailure?.code ?? 'unknown' }),
  },
  {
    why: 'Port 465 without a handshake: the SMTP layer was never reached.',
    source: 'RFC 8314 §3.3',
    when: (o) => o.implicitTls && o.tlsHandshake === 'failed',
    outcome: () => 'tls-failed',
    stage: failureOr('tls', (o) => o.tlsError ?? 'tls-failed'),
  },
  {
    why: 'Another protocol answered (SSH, HTTP, TLS bytes): not a mail server.',
    source: 'RFC 5321 §4.2 reply syntax',
    when: (o) => o.notSmtp,
    outcome: () => 'not-smtp',
    stage: () => ({ stage: 'banner', error: 'not-smtp' }),
  },
  {
    why: 'No complete banner: an SMTP client would not proceed.',
    source: 'RFC 5321 §3.1',
    when: (o) => o.banner === null,
    outcome: () => 'no-banner',
    stage: failureOr('banner', () => 'no-banner'),
  },
  {
    why: 'RFC 5321 §3.1: a non-2xx greeting refuses service; the client only quits.',
    source: 'RFC 5321 §3.1',
    when: (o) => !is2xx(o.banner?.code ?? null),
    outcome: () => 'smtp-rejected',
    stage: (o) => ({ stage: 'banner', error: `banner-rejected: ${o.banner?.code ?? 'none'}` }),
  },
  {
    why: 'Neither EHLO nor HELO accepted, or the reply never came: no session to test STARTTLS in.',
    source: 'RFC 5321 §4.1.1.1; forced HELO as an attack class (FIELD-NOTES §1)',
    when: (o) => !is2xx(o.greetingCode),
    outcome: () => 'ehlo-failed',
    stage: failureOr('ehlo', (o) => `ehlo-rejected: ${o.greetingCode ?? 'none'}`),
  },
  {
    why: 'Port 465: TLS came first and the SMTP session inside it worked.',
    source: 'RFC 8314 §3.3',
    when: (o) => o.implicitTls,
    outcome: () => 'tls-ok',
  },
  {
    why: 'Evidence of tampering (corrupted echo, hidden STARTTLS, a mask where STARTTLS should be) outranks the TLS result.',
    source: 'Cisco ASA/PIX behaviour, command echo, Durumeric et al. 2015 (FIELD-NOTES §1, §2)',
    when: (_o, e) => e.stripped !== null,
    outcome: () => 'starttls-stripped',
    stage: (o, e) => o.failure ?? { stage: 'starttls', error: e.stripped ?? 'starttls-stripped' },
  },
  {
    why: 'The server agreed to TLS but the handshake failed: a TLS problem, not stripping.',
    source: 'RFC 3207 §4',
    when: (o, e) => e.starttlsCode === STARTTLS_GO_AHEAD && o.tlsHandshake !== 'ok',
    outcome: () => 'tls-failed',
    stage: failureOr('tls', (o) => o.tlsError ?? 'tls-failed'),
  },
  {
    why: 'RFC 3207 ran its course; a failure after the handshake is kept as post-tls.',
    source: 'RFC 3207 §4.2',
    when: (o, e) => e.starttlsCode === STARTTLS_GO_AHEAD,
    outcome: () => 'tls-ok',
  },
  {
    why: 'Advertised, sent, then refused (4xx/5xx) or left unanswered: RFC 3207 §4 allows 454, and no proof of a middlebox.',
    source: 'RFC 3207 §4; refusal as an attack class without proof (FIELD-NOTES §1)',
    when: (o) => o.starttlsAdvertised,
    outcome: () => 'starttls-refused',
    stage: failureOr('starttls', (o) => `starttls-rejected: ${o.starttlsReply?.code ?? 'none'}`),
  },
  {
    why: 'Not advertised and (if forced) not accepted: the server does not offer TLS, as far as one vantage point can see.',
    source: 'deletion is indistinguishable from one EHLO reply (FIELD-NOTES §1)',
    when: () => true,
    outcome: () => 'no-starttls',
  },
];

/** Apply the first matching rule. Fingerprints are reported whatever the outcome, in FINGERPRINTS order. */
export function classify(o: Observations): Classification {
  const e = gatherEvidence(o);
  const fingerprints = FINGERPRINTS.filter((f) => e.fingerprints.has(f));
  for (const rule of RULES) {
    if (!rule.when(o, e)) continue;
    const stop = rule.stage === undefined ? o.failure : rule.stage(o, e);
    return { outcome: rule.outcome(o, e), fingerprints, error_stage: stop?.stage ?? null, error: stop?.error ?? null };
  }
  // Unreachable: the last rule always matches.
  throw new Error('classify: no rule matched');
}
