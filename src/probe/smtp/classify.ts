/**
 * Observations → {outcome, fingerprints, strip_evidence, error_stage, error}.
 *
 * A false "starttls-stripped" accuses a network, so stripping is only called
 * on evidence about STARTTLS itself, and the evidence is graded (direct or
 * circumstantial) so that analysts can count either. A fingerprint shows a
 * box on the path; it is not by itself proof that STARTTLS was stripped.
 * Everything else gets the plainest outcome that fits, and a deadline is
 * never read as a server's answer. The rules, their order and their sources
 * are explained in docs/classification.md; facts are from
 * /work/shared/FIELD-NOTES.md §1 and the RFCs named.
 */
import { FINGERPRINTS, type ErrorStage, type Fingerprint, type Outcome, type StripEvidence } from '../../record.js';
import {
  findCorruptedEcho,
  isMaskedBanner,
  isMaskedKeyword,
  isStarttlsLengthMask,
  isUnknownCommandReply,
} from './fingerprints.js';
import type { Observations } from './observations.js';

export interface Classification {
  outcome: Outcome;
  fingerprints: Fingerprint[];
  /** Set exactly when the outcome is starttls-stripped. */
  strip_evidence: StripEvidence | null;
  error_stage: ErrorStage | null;
  /** null exactly when error_stage is null. */
  error: string | null;
}

/** Facts derived once from the observations and shared by the rules. */
interface Evidence {
  fingerprints: ReadonlyMap<Fingerprint, string>;
  /** The grade of the evidence that STARTTLS was stripped, with what it rests on; null without any. */
  strip: { grade: StripEvidence; why: string } | null;
  starttlsCode: number | null;
  timedOut: boolean;
}

const is2xx = (code: number | null): boolean => code !== null && code >= 200 && code < 300;
const STARTTLS_GO_AHEAD = 220;
const TIMEOUT = 'timeout';

interface FingerprintDetector {
  fingerprint: Fingerprint;
  detect(o: Observations): string | null;
}

/** Each returns a short description of the evidence, or null. */
const DETECTORS: readonly FingerprintDetector[] = [
  {
    // Cisco ASA ESMTP inspection masks EHLO keywords with X's (`250-XXXXXXXA`): a box is there.
    fingerprint: 'masked-ehlo-keyword',
    detect: (o) => o.ehloKeywords.find(isMaskedKeyword) ?? null,
  },
  {
    // Cisco PIX MailGuard replaces the banner with asterisks (keeping '2' and '0').
    fingerprint: 'masked-banner',
    detect: (o) => (o.banner !== null && isMaskedBanner(o.banner.texts) ? 'masked banner' : null),
  },
  {
    // Only an unknown-command reply echoes the command it did not know; an echo of something we did not send
    // proves the bytes were rewritten on the path. Refusals (454, 503, "not implemented") never count.
    fingerprint: 'corrupted-command-echo',
    detect: (o) => (o.starttlsReply === null ? null : findCorruptedEcho(o.starttlsReply, 'STARTTLS')),
  },
  {
    // A clean EHLO reply (2xx, every line readable, not a HELO fallback) left STARTTLS out, yet the STARTTLS we
    // sent anyway was accepted: the server speaks it, so its advertisement was removed on the way.
    fingerprint: 'hidden-starttls',
    detect: (o) =>
      o.starttlsSent && o.ehlo?.clean === true && !o.ehlo.starttls && o.starttlsReply?.code === STARTTLS_GO_AHEAD
        ? 'hidden-starttls'
        : null,
  },
];

/**
 * Direct: the STARTTLS we sent arrived altered (its echo), or STARTTLS was hidden yet accepted.
 * Circumstantial: a mask as long as STARTTLS stands in a clean EHLO reply without STARTTLS, and the forced
 * STARTTLS was answered as an unknown command — what a masked verb draws from a server that does not echo.
 * A server without TLS that knows the verb says "not implemented", 454 or 503 instead, and a mask of another
 * length is some other extension: both leave the fingerprint and accuse no one.
 */
function stripEvidence(o: Observations, found: ReadonlyMap<Fingerprint, string>): Evidence['strip'] {
  const echo = found.get('corrupted-command-echo');
  if (echo !== undefined) return { grade: 'direct', why: `corrupted-command-echo: ${echo}` };
  if (found.has('hidden-starttls')) return { grade: 'direct', why: 'hidden-starttls' };
  const mask = o.ehlo?.clean === true && !o.ehlo.starttls ? o.ehloKeywords.find(isStarttlsLengthMask) : undefined;
  if (mask !== undefined && o.starttlsReply !== null && isUnknownCommandReply(o.starttlsReply)) {
    return { grade: 'circumstantial', why: `masked-ehlo-keyword: ${mask}; STARTTLS unknown: ${o.starttlsReply.code}` };
  }
  return null;
}

function gatherEvidence(o: Observations): Evidence {
  const found = new Map<Fingerprint, string>();
  for (const d of DETECTORS) {
    const detail = d.detect(o);
    if (detail !== null) found.set(d.fingerprint, detail);
  }
  return {
    fingerprints: found,
    strip: stripEvidence(o, found),
    starttlsCode: o.starttlsReply?.code ?? null,
    timedOut: o.failure?.error === TIMEOUT,
  };
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
    why: 'Port 465 and the handshake ran out of time: connected, but no banner ever came.',
    source: 'RFC 8314 §3.3; a deadline is not an answer',
    when: (o, e) => o.implicitTls && o.tlsHandshake === 'failed' && e.timedOut,
    outcome: () => 'no-banner',
  },
  {
    why: 'Port 465 and the handshake failed: the SMTP layer was never reached.',
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
    why: 'No complete banner (closed, reset, oversized or out of time): an SMTP client would not proceed.',
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
    why: 'Evidence about STARTTLS itself (an altered echo, a hidden STARTTLS, a STARTTLS-length mask answered as unknown) outranks what happened next, a timeout included.',
    source: 'Cisco ASA/PIX behaviour, command echo, Durumeric et al. 2015 (FIELD-NOTES §1, §2)',
    when: (_o, e) => e.strip !== null,
    outcome: () => 'starttls-stripped',
    stage: (o, e) => o.failure ?? { stage: 'starttls', error: e.strip?.why ?? 'starttls-stripped' },
  },
  {
    why: 'The STARTTLS handshake completed: its result stands; a later failure, a timeout included, is kept as post-tls.',
    source: 'RFC 3207 §4.2',
    when: (o, e) => !o.implicitTls && e.starttlsCode === STARTTLS_GO_AHEAD && o.tlsHandshake === 'ok',
    outcome: () => 'tls-ok',
  },
  {
    why: 'Our deadline passed after the banner: the server had not answered yet, which is not a refusal or a failure.',
    source: 'a deadline is ours to explain (docs/classification.md)',
    when: (_o, e) => e.timedOut,
    outcome: () => 'timeout',
  },
  {
    why: 'Neither EHLO nor HELO accepted, or the reply was unusable: no session to test STARTTLS in.',
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
    why: 'The server agreed to TLS but the handshake failed: a TLS problem, not stripping.',
    source: 'RFC 3207 §4',
    when: (o, e) => e.starttlsCode === STARTTLS_GO_AHEAD,
    outcome: () => 'tls-failed',
    stage: failureOr('tls', (o) => o.tlsError ?? 'tls-failed'),
  },
  {
    why: 'Advertised, sent, then refused (4xx/5xx) or the connection dropped: RFC 3207 §4 allows 454, and nothing proves a middlebox.',
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
    const outcome = rule.outcome(o, e);
    return {
      outcome,
      fingerprints,
      strip_evidence: outcome === 'starttls-stripped' ? (e.strip?.grade ?? null) : null,
      error_stage: stop?.stage ?? null,
      error: stop?.error ?? null,
    };
  }
  // Unreachable: the last rule always matches.
  throw new Error('classify: no rule matched');
}
