/**
 * The SMTP STARTTLS probe as a pure state machine: ProbeEvents in,
 * ProbeActions out (contract: events.ts). It gathers Observations and leaves
 * the judgement to classify.ts.
 *
 * Steps: 1 banner → 2 EHLO (HELO when refused) → 3 STARTTLS (advertised, or
 * forced) → 4 TLS handshake on 220 → 5 EHLO inside TLS → 6 QUIT. With
 * implicit TLS the handshake comes first and steps 3–5 fall away. Nothing
 * else is ever sent (never MAIL, RCPT, DATA, AUTH).
 */
import { UsageError } from '../../errors.js';
import type { ErrorStage } from '../../record.js';
import { certNameMatchesBanner, certNameMatchesServerName } from './cert-name.js';
import { classify } from './classify.js';
import type { ProbeAction, ProbeEvent, ProbeLimits, ProbeOptions, ProbeResult, TlsFacts } from './events.js';
import { readEhloKeywords } from './ehlo-reply.js';
import { emptyObservations, type Observations } from './observations.js';
import { ReplyParser, type Reply } from './reply-parser.js';
import { Transcript } from './transcript.js';
import { ProtocolSniffer } from './protocol-sniffer.js';
import { TlsRecordSniffer } from './tls-record-sniffer.js';
import { UnsolicitedBytes } from './unsolicited-bytes.js';

type State =
  | 'await-connect'
  | 'implicit-handshake'
  | 'banner'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'handshake'
  | 'post-tls-ehlo'
  | 'done';

/** The record's stage for a failure in each state. */
const STAGE_OF: Record<Exclude<State, 'done'>, ErrorStage> = {
  'await-connect': 'connect',
  'implicit-handshake': 'tls',
  banner: 'banner',
  ehlo: 'ehlo',
  helo: 'ehlo',
  starttls: 'starttls',
  handshake: 'tls',
  'post-tls-ehlo': 'post-tls',
};

const is2xx = (code: number): boolean => code >= 200 && code < 300;

/** RFC 5321 §4.1.1.1: a domain name or an address literal; anything else could inject commands via CRLF. */
const EHLO_NAME =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/;

function validateOptions(options: ProbeOptions): void {
  if (options.ehloName.length > 255 || !EHLO_NAME.test(options.ehloName)) {
    throw new UsageError(`ehloName: ${JSON.stringify(options.ehloName)} is not a host name or address literal`);
  }
  for (const key of ['maxReplyBytes', 'maxReplyLines', 'maxTranscriptBytes'] as const satisfies (keyof ProbeLimits)[]) {
    const value = options.limits[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new UsageError(`limits.${key}: ${String(value)} is not a positive integer`);
    }
  }
}

export class SmtpProbe {
  private readonly options: ProbeOptions;
  private state: State = 'await-connect';
  private parser: ReplyParser;
  private readonly sniffer = new ProtocolSniffer();
  private readonly unsolicited: UnsolicitedBytes;
  private readonly transcript: Transcript;
  private readonly obs: Observations;
  /** Created at STARTTLS's 220: judges the raw bytes before any reaches TLS. */
  private tlsStart: TlsRecordSniffer | null = null;
  private tls: TlsFacts | null = null;
  private postTlsEhloCode: number | null = null;
  private postTlsEhloKeywords: string[] = [];
  private notSmtpEvidence: string | null = null;

  constructor(options: ProbeOptions) {
    validateOptions(options);
    this.options = options;
    this.parser = new ReplyParser(options.limits);
    this.unsolicited = new UnsolicitedBytes(options.limits.maxReplyBytes);
    this.transcript = new Transcript(options.limits.maxTranscriptBytes);
    this.obs = emptyObservations(options.implicitTls);
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Bytes the machine holds for replies in progress: bounded by the limits whatever the server sends. */
  get bufferedBytes(): number {
    return (
      this.parser.bufferedBytes +
      this.unsolicited.bufferedBytes +
      this.sniffer.bufferedBytes +
      (this.tlsStart?.bufferedBytes ?? 0)
    );
  }

  handle(event: ProbeEvent): ProbeAction[] {
    if (this.state === 'done') return [];
    switch (event.type) {
      case 'connected':
        return this.onConnected();
      case 'connect-failed':
        if (this.state !== 'await-connect') return [];
        this.obs.connectFailure = { code: event.code, timedOut: event.timedOut };
        return this.finish(false);
      case 'data':
        return this.onData(event.bytes);
      case 'tls-bytes':
        return this.onTlsBytes(event.bytes);
      case 'tls-established':
        return this.onTlsEstablished(event.tls);
      case 'tls-failed':
        if (this.state !== 'handshake' && this.state !== 'implicit-handshake') return [];
        if (this.tlsStart?.verdict === 'not-tls') return this.failNotTls();
        this.flushUnsolicited();
        this.transcript.add(`TLS failed: ${event.error}`);
        return this.fail(event.error);
      case 'closed':
        return this.fail('closed');
      case 'socket-error':
        return this.fail(event.code);
      case 'timeout':
        return this.fail('timeout');
    }
  }

  private onConnected(): ProbeAction[] {
    if (this.state !== 'await-connect') return [];
    if (this.options.implicitTls) {
      this.state = 'implicit-handshake';
      return [{ type: 'start-tls' }];
    }
    this.state = 'banner';
    return [];
  }

  private onTlsEstablished(tls: TlsFacts): ProbeAction[] {
    if (this.state !== 'handshake' && this.state !== 'implicit-handshake') return [];
    this.flushUnsolicited();
    this.tls = tls;
    this.obs.tlsHandshake = 'ok';
    this.transcript.add(`TLS: ${tls.version ?? '?'} ${tls.cipher ?? '?'}`);
    // Plaintext state must not leak into the TLS session (RFC 3207 §4.2: forget everything learned before).
    this.parser = new ReplyParser(this.options.limits);
    if (this.state === 'implicit-handshake') {
      this.state = 'banner';
      return [];
    }
    this.state = 'post-tls-ehlo';
    return [this.send(`EHLO ${this.options.ehloName}`)];
  }

  /**
   * Raw bytes after STARTTLS's 220 (the rest of the 220's own segment first):
   * the same bytes give the same verdict however TCP split them.
   */
  private onTlsBytes(bytes: Uint8Array): ProbeAction[] {
    const sniffer = this.tlsStart;
    if (sniffer === null) return [];
    const forTls = sniffer.feed(bytes);
    if (sniffer.verdict === 'not-tls') return sniffer.evidenceComplete ? this.failNotTls() : [];
    return forTls.length === 0 ? [] : [{ type: 'to-tls', bytes: forTls }];
  }

  /** Plaintext where TLS was due: never fed into TLS; its first line is the evidence. */
  private failNotTls(): ProbeAction[] {
    this.transcript.add(`S(plaintext): ${this.tlsStart?.evidence() ?? ''}`);
    this.transcript.add('TLS failed: plaintext-after-starttls');
    this.obs.tlsHandshake = 'failed';
    this.obs.tlsError = 'plaintext-after-starttls';
    this.obs.failure = { stage: 'tls', error: 'plaintext-after-starttls' };
    return this.finish(false);
  }

  private onData(bytes: Uint8Array): ProbeAction[] {
    switch (this.state) {
      case 'await-connect':
      case 'handshake':
      case 'implicit-handshake':
        // Bytes while no reply is due are evidence, never input.
        this.unsolicited.add(bytes);
        return [];
      case 'banner':
        if (this.sniffer.verdict !== 'smtp') {
          // Decide from the first bytes whether this can be SMTP at all, without waiting for the deadline.
          this.sniffer.feed(bytes);
          if (this.sniffer.verdict === 'not-smtp') return this.sniffer.evidenceComplete ? this.finishNotSmtp() : [];
        }
        return this.parseReplies(bytes, 0);
      default:
        return this.parseReplies(bytes, 0);
    }
  }

  private finishNotSmtp(): ProbeAction[] {
    this.obs.notSmtp = true;
    this.notSmtpEvidence = this.sniffer.evidence();
    this.transcript.add(`S: ${this.notSmtpEvidence}`);
    return this.finish(false);
  }

  private parseReplies(bytes: Uint8Array, offset: number): ProbeAction[] {
    const step = this.parser.feed(bytes, offset);
    if (step.kind === 'need-more') return [];
    if (step.kind === 'error') {
      if (this.state === 'banner' && step.error === 'malformed-reply' && !this.parser.inReply) {
        // The very first line is not SMTP-shaped (the sniffer only saw its first 4 bytes).
        this.obs.notSmtp = true;
        this.notSmtpEvidence = step.detail;
        this.transcript.add(`S: ${step.detail}`);
        return this.finish(false);
      }
      this.transcript.add(`S: ${step.detail}`);
      return this.fail(`${step.error}: ${step.detail}`);
    }
    for (const line of step.reply.wire) this.transcript.add(`S: ${line}`);
    const rest = bytes.subarray(step.next);
    if (this.state === 'starttls' && step.reply.code === 220) return this.startTls(step.reply, rest);
    // We answer every reply at once, so anything after it in the same chunk was sent before our command arrived.
    this.unsolicited.add(rest);
    return this.onReply(step.reply);
  }

  /** STARTTLS accepted: the rest of the 220's segment is judged exactly like the bytes that follow it. */
  private startTls(reply: Reply, rest: Uint8Array): ProbeAction[] {
    this.obs.starttlsReply = reply;
    this.state = 'handshake';
    this.tlsStart = new TlsRecordSniffer();
    const actions: ProbeAction[] = [{ type: 'start-tls' }];
    if (rest.length > 0) actions.push(...this.onTlsBytes(rest));
    return actions;
  }

  private onReply(reply: Reply): ProbeAction[] {
    switch (this.state) {
      case 'banner':
        this.obs.banner = reply;
        if (!is2xx(reply.code)) return this.finish(true);
        this.state = 'ehlo';
        return [this.send(`EHLO ${this.options.ehloName}`)];
      case 'ehlo':
        this.obs.greetingCode = reply.code;
        if (!is2xx(reply.code)) {
          this.obs.heloFallback = true;
          this.state = 'helo';
          return [this.send(`HELO ${this.options.ehloName}`)];
        }
        this.obs.ehloKeywords = reply.texts.slice(1);
        this.obs.ehlo = readEhloKeywords(this.obs.ehloKeywords);
        this.obs.starttlsAdvertised = this.obs.ehlo.starttls;
        return this.afterGreeting();
      case 'helo':
        this.obs.greetingCode = reply.code;
        return is2xx(reply.code) ? this.afterGreeting() : this.finish(true);
      case 'starttls':
        // A 220 went to startTls(); any other answer ends the exchange.
        this.obs.starttlsReply = reply;
        return this.finish(true);
      case 'post-tls-ehlo':
        this.postTlsEhloCode = reply.code;
        if (is2xx(reply.code)) this.postTlsEhloKeywords = reply.texts.slice(1);
        else this.obs.failure = { stage: 'post-tls', error: `post-tls-ehlo-rejected: ${reply.code}` };
        return this.finish(true);
      default:
        return [];
    }
  }

  private afterGreeting(): ProbeAction[] {
    const wanted = this.obs.starttlsAdvertised || this.options.forceStartTls;
    if (this.options.implicitTls || !wanted) return this.finish(true);
    this.obs.starttlsSent = true;
    this.state = 'starttls';
    return [this.send('STARTTLS')];
  }

  /** The connection failed, closed or timed out in the current state. */
  private fail(reason: string): ProbeAction[] {
    if (this.state === 'done') return [];
    if (this.state === 'banner' && this.sniffer.verdict === 'not-smtp') return this.finishNotSmtp();
    // Plaintext was already seen where TLS was due: that, not what ended the wait, is what happened.
    if (this.state === 'handshake' && this.tlsStart?.verdict === 'not-tls') return this.failNotTls();
    if (this.state === 'await-connect') {
      // The driver should send connect-failed, but a deadline or error before `connected` means the same.
      this.obs.connectFailure = { code: reason, timedOut: reason === 'timeout' };
      return this.finish(false);
    }
    const stage = STAGE_OF[this.state];
    if (stage === 'tls') {
      this.obs.tlsHandshake = 'failed';
      this.obs.tlsError = reason;
    }
    this.obs.failure = { stage, error: reason };
    return this.finish(false);
  }

  private send(command: string): ProbeAction {
    this.flushUnsolicited();
    this.transcript.add(`C: ${command}`);
    return { type: 'send', data: `${command}\r\n` };
  }

  private flushUnsolicited(): void {
    for (const line of this.unsolicited.drainLines()) this.transcript.add(`S(unsolicited): ${line}`);
  }

  /** End the probe; `quit` when the session is in a sane SMTP state and a polite QUIT is due. */
  private finish(quit: boolean): ProbeAction[] {
    const actions: ProbeAction[] = [];
    if (quit) actions.push(this.send('QUIT'));
    this.flushUnsolicited();
    this.state = 'done';
    actions.push({ type: 'done', result: this.result() });
    return actions;
  }

  private result(): ProbeResult {
    const o = this.obs;
    const verdict = classify(o);
    const cert = this.tls?.cert ?? null;
    return {
      server_name: this.options.serverName ?? null,
      outcome: verdict.outcome,
      fingerprints: verdict.fingerprints,
      strip_evidence: verdict.strip_evidence,
      error_stage: verdict.error_stage,
      error: verdict.error,
      banner: o.notSmtp ? this.notSmtpEvidence : (o.banner?.texts.join('\n') ?? null),
      banner_code: o.notSmtp ? null : (o.banner?.code ?? null),
      ehlo_code: o.greetingCode,
      ehlo_keywords: o.ehloKeywords,
      helo_fallback: o.heloFallback,
      starttls_advertised: o.starttlsAdvertised,
      starttls_sent: o.starttlsSent,
      starttls_code: o.starttlsReply?.code ?? null,
      starttls_reply: o.starttlsReply?.texts.join('\n') ?? null,
      implicit_tls: this.options.implicitTls,
      tls_version: this.tls?.version ?? null,
      tls_cipher: this.tls?.cipher ?? null,
      tls_error: o.tlsError,
      cert_sha256: cert?.sha256 ?? null,
      cert_status: cert?.status ?? null,
      cert_validity: cert?.validity ?? null,
      cert_subject: cert?.subject ?? null,
      cert_issuer: cert?.issuer ?? null,
      cert_sans: cert?.sans ?? [],
      cert_not_before: cert?.not_before ?? null,
      cert_not_after: cert?.not_after ?? null,
      cert_key_type: cert?.key_type ?? null,
      cert_key_bits: cert?.key_bits ?? null,
      cert_chain_len: cert?.chain_len ?? null,
      cert_name_matches_banner: o.notSmtp ? null : certNameMatchesBanner(cert, o.banner?.texts ?? []),
      cert_name_matches: certNameMatchesServerName(cert, this.options.serverName),
      post_tls_ehlo_code: this.postTlsEhloCode,
      post_tls_ehlo_keywords: this.postTlsEhloKeywords,
      transcript: this.transcript.toString(),
    };
  }
}
