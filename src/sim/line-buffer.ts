/**
 * Splits client bytes into command lines with a hard cap: the sim reads at
 * most `maxLine` bytes of a pending line, whatever a client sends, so memory
 * per connection stays flat.
 */
export type LineResult = { lines: string[]; overflow: boolean };

export class BoundedLineBuffer {
  private pending: Buffer | null = null;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): LineResult {
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    const lines: string[] = [];
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      if (nl - start > this.maxLine) return { lines, overflow: true };
      // latin1: commands are ASCII; any other byte maps 1:1 and cannot throw.
      lines.push(data.toString('latin1', start, nl).replace(/\r$/, ''));
      start = nl + 1;
    }
    if (data.length - start > this.maxLine) return { lines, overflow: true };
    if (start < data.length) this.pending = Buffer.from(data.subarray(start));
    return { lines, overflow: false };
  }

  /** Forget buffered bytes (after STARTTLS: what followed it in plaintext must never reach TLS). */
  clear(): void {
    this.pending = null;
  }
}
