/**
 * Writes many short lines to a stream fast: lines are joined into blocks of
 * about 64 KiB, backpressure is honoured, and a reader that goes away
 * (`… | head`) ends the output quietly instead of crashing or hanging.
 */
import type { Writable } from 'node:stream';

const BLOCK_SIZE = 64 * 1024;

export class LineWriter {
  private parts: string[] = [];
  private length = 0;
  private closedError: Error | null = null;

  constructor(private readonly out: Writable) {
    out.on('error', (err: Error) => {
      this.closedError = err;
    });
  }

  /** True once the reader has gone away (EPIPE) or the stream failed: stop producing. */
  get closed(): boolean {
    return this.closedError !== null || this.out.destroyed;
  }

  /** An error other than the reader leaving, to report. */
  get failure(): Error | null {
    const code = (this.closedError as NodeJS.ErrnoException | null)?.code;
    return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' ? null : this.closedError;
  }

  /** Queue a line; true when a block is due and the caller should `await flush()` (kept sync: it runs per address). */
  push(text: string): boolean {
    this.parts.push(text);
    this.length += text.length + 1;
    return this.length >= BLOCK_SIZE;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0 || this.closed) return;
    const block = this.parts.join('\n') + '\n';
    this.parts = [];
    this.length = 0;
    if (this.out.write(block)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }
}
