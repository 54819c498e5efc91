/**
 * Incremental SMTP reply parser (RFC 5321 §4.2): `ddd-text` continuation
 * lines, then a `ddd text` (or bare `ddd`) final line, all with one code.
 *
 * Bytes arrive split anywhere; the parser copies at most one reply's worth of
 * them (limits.maxReplyBytes) and stops with `reply-too-large` the moment a
 * reply would grow past the limit, so a server that never stops talking costs
 * a bounded amount of memory.
 */
import { escapeBytes } from './escape.js';
import type { ProbeLimits } from './events.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HYPHEN = 0x2d;
/** Malformed lines are quoted in the error; a cap keeps the error a short reason. */
const ERROR_DETAIL_CHARS = 120;

export interface Reply {
  code: number;
  /** Text of each line after `ddd ` / `ddd-`, escaped. */
  texts: string[];
  /** Each whole line as received (without CRLF), escaped: for the transcript. */
  wire: string[];
}

export type ReplyFailure = 'malformed-reply' | 'reply-too-large';

export type ParseStep =
  | { kind: 'need-more' }
  /** `next` is the offset of the first byte after the reply's final line. */
  | { kind: 'reply'; reply: Reply; next: number }
  | { kind: 'error'; error: ReplyFailure; detail: string };

/**
 * Growable byte buffer that never grows past its cap (the caller checks before appending). It holds only a
 * line split between chunks, so most probes never allocate it: typed arrays over 64 bytes live outside V8's
 * heap, and allocating and sweeping them per probe showed up in the probe path's profile.
 */
class LineBuffer {
  private bytes = new Uint8Array(0);
  length = 0;

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2, 128));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length = needed;
  }

  /** The line so far, as a view valid only until the next append: callers turn it into strings at once. */
  take(): Uint8Array {
    const line = this.bytes.subarray(0, this.length);
    this.length = 0;
    return line;
  }

  get capacity(): number {
    return this.bytes.length;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** The reply code of a line whose first three bytes are digits. */
function digitsValue(raw: Uint8Array): number {
  return ((raw[0] ?? 0x30) - 0x30) * 100 + ((raw[1] ?? 0x30) - 0x30) * 10 + ((raw[2] ?? 0x30) - 0x30);
}

export class ReplyParser {
  private readonly limits: ProbeLimits;
  private readonly line = new LineBuffer();
  private replyBytes = 0;
  private code: number | null = null;
  private texts: string[] = [];
  private wire: string[] = [];
  private wireChars = 0;

  constructor(limits: ProbeLimits) {
    this.limits = limits;
  }

  /** Bytes held for the reply in progress (buffer capacity included): stays below about 2 × maxReplyBytes. */
  get bufferedBytes(): number {
    return this.line.capacity + this.wireChars;
  }

  /** True when part of a reply has been received but not its final line. */
  get inReply(): boolean {
    return this.replyBytes > 0;
  }

  /** Consume bytes from `offset` until one reply completes, the bytes run out, or the reply is bad. */
  feed(bytes: Uint8Array, offset: number): ParseStep {
    let pos = offset;
    while (pos < bytes.length) {
      const lf = bytes.indexOf(LF, pos);
      const end = lf === -1 ? bytes.length : lf + 1;
      if (this.replyBytes + (end - pos) > this.limits.maxReplyBytes) {
        return { kind: 'error', error: 'reply-too-large', detail: `more than ${this.limits.maxReplyBytes} bytes` };
      }
      this.replyBytes += end - pos;
      if (lf === -1) {
        this.line.append(bytes.subarray(pos, end));
        break;
      }
      // A line whole in this chunk (the common case) is read where it lies: one view, no copy.
      const step =
        this.line.length === 0
          ? this.completeLine(bytes.subarray(pos, lf > pos && bytes[lf - 1] === CR ? lf - 1 : lf))
          : this.completeLine(this.appendAndTake(bytes.subarray(pos, lf)));
      pos = end;
      if (step.kind === 'reply') return { ...step, next: pos };
      if (step.kind === 'error') return step;
    }
    return { kind: 'need-more' };
  }

  private appendAndTake(rest: Uint8Array): Uint8Array {
    this.line.append(rest);
    return this.line.take();
  }

  /** `line` is the line without its LF; a CR before the LF is dropped here if the caller left it. */
  private completeLine(
    line: Uint8Array,
  ): { kind: 'reply'; reply: Reply } | { kind: 'continue' } | Extract<ParseStep, { kind: 'error' }> {
    // CRLF is the standard ending; a bare LF is tolerated (many small servers send it).
    const raw = line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
    const wire = escapeBytes(raw);
    const separator = raw[3];
    const shaped =
      isDigit(raw[0]) &&
      isDigit(raw[1]) &&
      isDigit(raw[2]) &&
      (raw.length === 3 || separator === SPACE || separator === HYPHEN);
    if (!shaped) return this.malformed(wire);
    const code = digitsValue(raw);
    if (this.code !== null && this.code !== code) return this.malformed(wire);
    if (this.wire.length >= this.limits.maxReplyLines) {
      return { kind: 'error', error: 'reply-too-large', detail: `more than ${this.limits.maxReplyLines} lines` };
    }
    this.code = code;
    // The first four bytes are three digits and a separator, one character each once escaped, so the text
    // is the escaped line from its fifth character: the same string as escaping the bytes after them.
    this.texts.push(wire.slice(4));
    this.wire.push(wire);
    this.wireChars += wire.length;
    if (separator === HYPHEN) return { kind: 'continue' };
    const reply: Reply = { code, texts: this.texts, wire: this.wire };
    this.code = null;
    this.texts = [];
    this.wire = [];
    this.wireChars = 0;
    this.replyBytes = 0;
    return { kind: 'reply', reply };
  }

  private malformed(wire: string): Extract<ParseStep, { kind: 'error' }> {
    return { kind: 'error', error: 'malformed-reply', detail: wire.slice(0, ERROR_DETAIL_CHARS) };
  }
}
