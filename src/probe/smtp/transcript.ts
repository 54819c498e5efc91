/**
 * The exchange as evidence: `C: …` for what we sent, `S: …` for what the
 * server sent, `S(unsolicited): …` for bytes that arrived when no reply was
 * due, `TLS: …` for the handshake. Lines are escaped by the caller and the
 * whole is capped at a byte budget so one chatty server cannot bloat a row.
 */
const TRUNCATED = '…[truncated]';
/** The marker's own bytes, reserved so the total stays within the cap. */
const TRUNCATED_BYTES = Buffer.byteLength(TRUNCATED, 'utf8');

export class Transcript {
  private readonly lines: string[] = [];
  private bytes = 0;
  private truncated = false;
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  add(line: string): void {
    if (this.truncated) return;
    // +1 for the joining newline. byteLength counts UTF-8 bytes without encoding the line into a copy.
    const cost = Buffer.byteLength(line, 'utf8') + 1;
    if (this.bytes + cost + TRUNCATED_BYTES > this.maxBytes) {
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
