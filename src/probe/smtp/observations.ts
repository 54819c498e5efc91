/**
 * What the machine saw, before any judgement: the classifier's only input.
 * Keeping observation and judgement apart lets classify.ts be tested as a
 * table, and lets a rule change be re-run over stored evidence.
 */
import type { ErrorStage } from '../../record.js';
import type { EhloReading } from './ehlo-reply.js';
import type { Reply } from './reply-parser.js';

export interface Observations {
  implicitTls: boolean;
  /** TCP connect failed: errno name, and whether our connect timeout fired. */
  connectFailure: { code: string; timedOut: boolean } | null;
  /** The first bytes could not begin an SMTP reply. */
  notSmtp: boolean;
  /** The complete banner reply, or null when none arrived. */
  banner: Reply | null;
  /** The last EHLO/HELO reply code (HELO's after a fallback), null when no complete reply came. */
  greetingCode: number | null;
  /** EHLO was refused and HELO sent instead: its reply lists no keywords, so nothing was "not advertised". */
  heloFallback: boolean;
  /** Keyword lines of a 2xx EHLO reply, escaped, greeting line excluded. */
  ehloKeywords: string[];
  /** The reading of those lines; null without a 2xx EHLO reply (refused, timed out, or HELO fallback). */
  ehlo: EhloReading | null;
  starttlsAdvertised: boolean;
  starttlsSent: boolean;
  starttlsReply: Reply | null;
  /** Outcome of the TLS handshake we asked for; null when none was attempted. */
  tlsHandshake: 'ok' | 'failed' | null;
  tlsError: string | null;
  /** Where the exchange broke off and why; null when it ran its course. */
  failure: { stage: ErrorStage; error: string } | null;
}

export function emptyObservations(implicitTls: boolean): Observations {
  return {
    implicitTls,
    connectFailure: null,
    notSmtp: false,
    banner: null,
    greetingCode: null,
    heloFallback: false,
    ehloKeywords: [],
    ehlo: null,
    starttlsAdvertised: false,
    starttlsSent: false,
    starttlsReply: null,
    tlsHandshake: null,
    tlsError: null,
    failure: null,
  };
}
