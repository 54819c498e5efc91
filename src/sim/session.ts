/**
 * One simulated SMTP conversation: the persona's behaviour played on a socket.
 * Everything a client sends is bounded (line length, command count) and every
 * timer dies with the socket, so a hostile or stuck client costs nothing.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { BoundedLineBuffer } from './line-buffer.js';
import type { Persona } from './persona.js';
import { EHLO_INSIDE_TLS, LINE_TOO_LONG, OK, QUIT_BYE, TLS_ALREADY_ACTIVE } from './replies.js';
import type { TlsContexts } from './tls-contexts.js';

export interface SessionLimits {
  /** Bytes of one command line. */
  maxLine: number;
  /** Commands per connection: a scanner needs five; a loop gets cut off. */
  maxCommands: number;
  /** Close a connection that has been idle this long (also ends the silent persona). */
  idleMs: number;
  /** Delay between greeting bytes for the drip persona. */
  dripMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxLine: 1024, maxCommands: 64, idleMs: 60_000, dripMs: 10 };

export interface SessionOptions {
  persona: Persona;
  contexts: TlsContexts;
  /** TLS from the first byte (the implicit-TLS port). */
  implicit: boolean;
  limits: SessionLimits;
}

const GARBAGE = Buffer.from('this is not TLS, it is the sim being rude\r\n', 'latin1');
/** Plaintext after STARTTLS's 220, as an injected reply would be. */
export const INJECTED_AFTER_220 = Buffer.from('250-injected after 220\r\n250 OK\r\n', 'latin1');
const NOT_SMTP_REPLY = 'Protocol mismatch.\r\n';

export function serveSession(raw: Socket, opts: SessionOptions): void {
  raw.setNoDelay(true);
  raw.setTimeout(opts.limits.idleMs, () => raw.destroy());
  // Clients reset connections all the time (that is what scanners do): not our failure.
  raw.on('error', () => raw.destroy());

  const { persona } = opts;
  if (!opts.implicit) {
    new Dialogue(raw, raw, opts, false).start();
    return;
  }
  if (persona.expect.implicit === null) {
    raw.destroy();
    return;
  }
  if (persona.server.afterStartTls === 'garbage') {
    answerWithGarbage(raw);
    return;
  }
  const secure = wrapInTls(raw, opts);
  secure.once('secure', () => new Dialogue(secure, raw, opts, true).start());
}

function wrapInTls(raw: Socket, opts: SessionOptions): TLSSocket {
  const secureContext = opts.contexts.get(opts.persona.server.tls);
  const secure = new TLSSocket(raw, { isServer: true, secureContext });
  secure.on('error', () => raw.destroy());
  return secure;
}

/** Wait for the client's first TLS bytes, answer with plaintext junk, close. */
function answerWithGarbage(raw: Socket): void {
  raw.once('data', () => raw.end(GARBAGE));
}

/** Per-persona EHLO replies for the implicit port, with the STARTTLS line removed (computed once). */
const implicitEhloCache = new WeakMap<Persona, string | undefined>();

function implicitEhlo(persona: Persona): string | undefined {
  if (!implicitEhloCache.has(persona)) {
    const reply = persona.server.replies.EHLO;
    implicitEhloCache.set(persona, reply === undefined ? undefined : withoutStartTlsLine(reply));
  }
  return implicitEhloCache.get(persona);
}

function withoutStartTlsLine(reply: string): string {
  const lines = reply.split('\r\n').filter((line) => line !== '' && !/^\d{3}[- ]STARTTLS$/i.test(line));
  const code = lines[0]?.slice(0, 3) ?? '250';
  return lines.map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${line.slice(4)}\r\n`).join('');
}

class Dialogue {
  private readonly lines: BoundedLineBuffer;
  private commands = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  /**
   * @param socket where SMTP is spoken (the TLS socket once inside TLS)
   * @param raw the TCP socket, for RST and for the STARTTLS hand-over
   * @param inTls already inside TLS (implicit port)
   */
  constructor(
    private socket: Socket,
    private readonly raw: Socket,
    private readonly opts: SessionOptions,
    private inTls: boolean,
  ) {
    this.lines = new BoundedLineBuffer(opts.limits.maxLine);
    raw.once('close', () => this.stopTimer());
  }

  start(): void {
    this.socket.on('data', this.onData);
    const { greeting, greetingStyle } = this.opts.persona.server;
    switch (greetingStyle) {
      case 'at-once':
        this.socket.write(greeting);
        return;
      case 'silent':
        return;
      case 'drip':
        this.drip(greeting, 0);
        return;
      case 'reset-midway':
        this.socket.write(greeting.subarray(0, Math.floor(greeting.length / 2)), () => {
          // A moment for the bytes to reach the peer, so it sees a partial banner and then the RST.
          this.timer = setTimeout(() => this.raw.resetAndDestroy(), 20);
        });
        return;
    }
  }

  private drip(greeting: Uint8Array, at: number): void {
    if (at >= greeting.length || this.raw.destroyed) return;
    this.socket.write(greeting.subarray(at, at + 1));
    this.timer = setTimeout(() => this.drip(greeting, at + 1), this.opts.limits.dripMs);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private receive(chunk: Buffer): void {
    const { lines, overflow } = this.lines.push(chunk);
    // Replies to pipelined commands go out in one write.
    let out = '';
    for (const line of lines) {
      const step = this.answer(line);
      out += step.reply;
      if (step.then !== 'continue') {
        this.finish(out, step.then);
        return;
      }
    }
    if (overflow) {
      this.finish(out + LINE_TOO_LONG, 'close');
      return;
    }
    if (out !== '') this.socket.write(out);
  }

  private finish(out: string, then: 'close' | 'destroy' | 'start-tls'): void {
    this.socket.off('data', this.onData);
    this.lines.clear();
    if (then === 'destroy') {
      this.socket.destroy();
    } else if (then === 'close') {
      this.socket.end(out);
    } else {
      this.socket.write(out);
      this.startTls();
    }
  }

  private answer(line: string): { reply: string; then: 'continue' | 'close' | 'destroy' | 'start-tls' } {
    const { server } = this.opts.persona;
    if (++this.commands > this.opts.limits.maxCommands)
      return { reply: '421 4.7.0 Too many commands\r\n', then: 'close' };
    if (server.closeOnFirstLine) return { reply: NOT_SMTP_REPLY, then: 'close' };
    const verb = (/^\S*/.exec(line)?.[0] ?? '').toUpperCase();
    if (verb === 'QUIT') return { reply: QUIT_BYE, then: 'close' };
    if (verb === 'RSET' || verb === 'NOOP') return { reply: OK, then: 'continue' };
    if (this.inTls) {
      if (verb === 'EHLO') {
        if (server.insideTls === 'close-on-ehlo') return { reply: '', then: 'destroy' };
        const ehlo = this.opts.implicit ? implicitEhlo(this.opts.persona) : EHLO_INSIDE_TLS;
        return { reply: ehlo ?? server.defaultReply, then: 'continue' };
      }
      if (verb === 'STARTTLS') return { reply: TLS_ALREADY_ACTIVE, then: 'continue' };
    }
    if (verb === 'EHLO' || verb === 'HELO' || verb === 'STARTTLS') {
      const reply = server.replies[verb] ?? server.defaultReply;
      const startsTls = verb === 'STARTTLS' && reply.startsWith('220');
      return { reply, then: startsTls ? 'start-tls' : 'continue' };
    }
    return { reply: server.defaultReply, then: 'continue' };
  }

  private startTls(): void {
    const { afterStartTls } = this.opts.persona.server;
    if (afterStartTls === 'garbage') {
      answerWithGarbage(this.raw);
      return;
    }
    if (afterStartTls === 'plaintext-then-handshake') {
      // A separate write a moment later, so that it usually travels in its own TCP segment: the probe must
      // record the same thing as when it shares the 220's segment.
      this.timer = setTimeout(() => {
        this.raw.write(INJECTED_AFTER_220);
        this.handshake();
      }, 20);
      return;
    }
    this.handshake();
  }

  private handshake(): void {
    const secure = wrapInTls(this.raw, this.opts);
    secure.once('secure', () => {
      this.socket = secure;
      this.inTls = true;
      this.socket.on('data', this.onData);
    });
  }
}
