/**
 * Bytes a server sent when no reply was due: after a reply we answered at
 * once (early talkers, pipelining junk) or after STARTTLS's 220 before the
 * handshake (command injection, Poddebniak et al. 2021). They are never parsed
 * as a reply nor fed into TLS; they are kept, bounded, as transcript evidence.
 */
import { escapeBytes } from './escape.js';

const LF = 0x0a;
const CR = 0x0d;

export class UnsolicitedBytes {
  private readonly cap: number;
  private held = new Uint8Array(0);
  private length = 0;
  private dropped = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  get bufferedBytes(): number {
    return this.held.length;
  }

  add(bytes: Uint8Array): void {
    const kept = Math.min(bytes.length, this.cap - this.length);
    this.dropped += bytes.length - kept;
    if (kept === 0) return;
    if (this.length + kept > this.held.length) {
      const grown = new Uint8Array(Math.min(this.cap, Math.max(this.length + kept, this.held.length * 2)));
      grown.set(this.held.subarray(0, this.length));
      this.held = grown;
    }
    this.held.set(bytes.subarray(0, kept), this.length);
    this.length += kept;
  }

  /** The held bytes as escaped lines (a last partial line included), then empty again. */
  drainLines(): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < this.length) {
      const lf = this.held.subarray(0, this.length).indexOf(LF, start);
      let end = lf === -1 ? this.length : lf;
      const next = lf === -1 ? this.length : lf + 1;
      if (end > start && this.held[end - 1] === CR) end--;
      lines.push(escapeBytes(this.held.subarray(start, end)));
      start = next;
    }
    if (this.dropped > 0) lines.push(`…[${this.dropped} more bytes dropped]`);
    this.held = new Uint8Array(0);
    this.length = 0;
    this.dropped = 0;
    return lines;
  }
}
