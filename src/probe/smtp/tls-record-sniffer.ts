/**
 * Tells whether the bytes a server sends after its `220` to STARTTLS begin a
 * TLS record, before any of them reaches the TLS layer.
 *
 * Anything else there is plaintext a server (or a box on the path) sent where
 * TLS was due: the pipelined answers of STARTTLS command injection
 * (Poddebniak et al. 2021) look exactly like this. The rule: such bytes fail
 * the handshake, are never fed into TLS, and their first line (up to
 * EVIDENCE_BYTES) is kept as evidence. The verdict and the evidence depend
 * only on the bytes, never on how TCP split them: the probe feeds the rest of
 * the segment that carried the 220 through here exactly like later segments.
 */
import { escapeBytes } from './escape.js';

export const EVIDENCE_BYTES = 128;
const EMPTY = new Uint8Array(0);
const LF = 0x0a;
const CR = 0x0d;
/** TLS record content types: change_cipher_spec, alert, handshake, application_data, heartbeat. */
const FIRST_CONTENT_TYPE = 20;
const LAST_CONTENT_TYPE = 24;
const TLS_MAJOR = 3;

export type TlsStartVerdict = 'pending' | 'tls' | 'not-tls';

export class TlsRecordSniffer {
  private state: TlsStartVerdict = 'pending';
  /** The evidence, filled only once the bytes are known not to be TLS (a TLS stream never needs it). */
  private held: Uint8Array = EMPTY;
  private length = 0;
  private lineEnded = false;

  get verdict(): TlsStartVerdict {
    return this.state;
  }

  /** For a not-tls verdict: the first line ended or the cap was reached. */
  get evidenceComplete(): boolean {
    return this.lineEnded || this.length >= EVIDENCE_BYTES;
  }

  get bufferedBytes(): number {
    return this.held.length + this.pending.length;
  }

  /**
   * Take the next bytes. While the verdict is pending they are held; the call
   * that settles it on `tls` returns every byte held so far, in order, for
   * the TLS layer. After `tls` every call returns its bytes unchanged; after
   * `not-tls` none ever reaches TLS.
   */
  feed(bytes: Uint8Array): Uint8Array {
    if (this.state === 'tls') return bytes;
    if (this.state === 'not-tls') {
      this.remember(bytes);
      return EMPTY;
    }
    // At most one byte waits here: the verdict needs two.
    this.pending = this.pending.length === 0 ? bytes : concat(this.pending, bytes);
    const first = this.pending[0];
    const second = this.pending[1];
    if (first === undefined) return EMPTY;
    if (first < FIRST_CONTENT_TYPE || first > LAST_CONTENT_TYPE || (second !== undefined && second !== TLS_MAJOR)) {
      this.state = 'not-tls';
      // Every byte since the 220 is in `pending`: the evidence starts with the first of them.
      this.remember(this.pending);
      this.pending = EMPTY;
      return EMPTY;
    }
    if (second === undefined) return EMPTY;
    this.state = 'tls';
    const out = this.pending;
    this.pending = EMPTY;
    return out;
  }

  /** The evidence: the first line of what arrived (without its line end), escaped. */
  evidence(): string {
    let end = this.length;
    if (end > 0 && this.held[end - 1] === LF) end--;
    if (end > 0 && this.held[end - 1] === CR) end--;
    return escapeBytes(this.held.subarray(0, end));
  }

  private pending: Uint8Array = EMPTY;

  private remember(bytes: Uint8Array): void {
    if (this.held.length === 0) this.held = new Uint8Array(EVIDENCE_BYTES);
    for (let i = 0; i < bytes.length && !this.lineEnded && this.length < EVIDENCE_BYTES; i++) {
      const byte = bytes[i] as number;
      this.held[this.length++] = byte;
      if (byte === LF) this.lineEnded = true;
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
