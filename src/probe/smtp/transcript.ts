/**
 * The exchange as evidence: `C: …` for what we sent, `S: …` for what the
 * server sent, `S(unsolicited): …` for bytes that arrived when no reply was
 * due, `TLS: …` for the handshake. Lines are escaped by the caller and the
 * whole is capped at a byte budget so one chatty server cannot bloat a row.
 */
const TRUNCATED = '…[truncated]';

export class Transcript {
  private readonly lines: string[] = [];
  private bytes = 0;
  private truncated = false;
  private readonly maxBytes: number;
  private readonly encoder = new TextEncoder();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  add(line: string): void {
    if (this.truncated) return;
    // +1 for the joining newline; the marker's own bytes are reserved so the total stays within the cap.
    const cost = this.encoder.encode(line).length + 1;
    const reserve = this.encoder.encode(TRUNCATED).length;
    if (this.bytes + cost + reserve > this.maxBytes) {
      this.truncated = true;
      return;
    }
    this.lines.push(line);
    this.bytes += cost;
  }

  toString(): string {
    return this.truncated ? [...this.lines, TRUNCATED].join('\n') : this.lines.join('\n');
  }
}
