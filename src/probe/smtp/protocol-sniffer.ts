/**
 * Tells from a stream's first bytes whether it can be SMTP at all.
 *
 * Every SMTP reply starts `ddd ` / `ddd-` (or is a bare `ddd` line), so the
 * first byte that breaks that shape settles it: an SSH banner, an HTTP status
 * line or TLS record bytes are recognised at their first byte instead of at
 * the deadline. The rest of that first line (up to EVIDENCE_BYTES) is kept
 * as evidence; the decision waits for it so that the record does not depend
 * on how TCP happened to split the bytes.
 */
import { escapeBytes } from './escape.js';

/** Enough to name the protocol (`SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13`) without storing a binary blob. */
export const EVIDENCE_BYTES = 128;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HYPHEN = 0x2d;

export type SniffVerdict = 'pending' | 'smtp' | 'not-smtp';

export class ProtocolSniffer {
  private state: SniffVerdict = 'pending';
  /** Grown as bytes come: an SMTP banner is settled at its fourth byte, so most probes keep only those. */
  private held = new Uint8Array(8);
  private length = 0;
  private position = 0;
  private lineEnded = false;

  get verdict(): SniffVerdict {
    return this.state;
  }

  /** True when the evidence for a not-smtp verdict is complete: the first line ended or the cap was reached. */
  get evidenceComplete(): boolean {
    return this.lineEnded || this.length >= EVIDENCE_BYTES;
  }

  get bufferedBytes(): number {
    return this.held.length;
  }

  /** Look at the next bytes of the stream (the caller still parses them when the verdict is smtp). */
  feed(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (this.state === 'smtp' || (this.state === 'not-smtp' && this.evidenceComplete)) return;
      if (byte === LF) {
        this.lineEnded = true;
        // `ddd` alone on a line is a valid final reply line; anything shorter is not.
        if (this.state === 'pending') this.state = this.position >= 3 ? 'smtp' : 'not-smtp';
        return;
      }
      if (this.length < EVIDENCE_BYTES) this.remember(byte);
      if (this.state === 'pending') this.judge(byte, this.position);
      this.position++;
    }
  }

  private remember(byte: number): void {
    if (this.length === this.held.length) {
      const grown = new Uint8Array(Math.min(EVIDENCE_BYTES, this.held.length * 2));
      grown.set(this.held);
      this.held = grown;
    }
    this.held[this.length++] = byte;
  }

  private judge(byte: number, position: number): void {
    if (position < 3) {
      if (byte < 0x30 || byte > 0x39) this.state = 'not-smtp';
    } else if (position === 3) {
      this.state = byte === SPACE || byte === HYPHEN || byte === CR ? 'smtp' : 'not-smtp';
    }
  }

  /** The first line as far as it was kept, escaped, without its line ending. */
  evidence(): string {
    let end = this.length;
    if (this.lineEnded && this.held[end - 1] === CR) end--;
    return escapeBytes(this.held.subarray(0, end));
  }
}
