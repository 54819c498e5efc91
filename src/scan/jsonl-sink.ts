/**
 * JSON-lines output of records, to a file or stdout, with backpressure: when
 * the stream's buffer is full the returned promise holds the probe slot until
 * it drains, so a slow pipe slows the scan instead of growing memory.
 *
 * A reader that quits (`--jsonl - | head`: EPIPE) is not a failure: the sink
 * stops writing, releases every probe waiting for a drain that will never
 * come, and tells its owner once, which stops the scan (local-scan.ts).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ScanRecord } from '../record.js';

export interface JsonlSink<T = ScanRecord> {
  write(record: T): void | Promise<void>;
  close(): Promise<void>;
  /** The reader quit (EPIPE): later records were not written. */
  readonly readerGone: boolean;
}

export interface JsonlSinkOptions {
  /** Called once when the reader has gone (EPIPE). */
  onReaderGone?: () => void;
}

export function openJsonlSink<T = ScanRecord>(target: string, opts: JsonlSinkOptions = {}): JsonlSink<T> {
  const stream: Writable = target === '-' ? process.stdout : createWriteStream(target, { flags: 'w' });
  let failure: Error | null = null;
  let readerGone = false;
  let drained: Promise<void> | null = null;
  let releaseWaiters: (() => void) | null = null;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      if (readerGone) return;
      readerGone = true;
      releaseWaiters?.();
      opts.onReaderGone?.();
      return;
    }
    failure ??= err;
    releaseWaiters?.();
  });
  return {
    get readerGone() {
      return readerGone;
    },
    write(record) {
      if (failure !== null) throw failure;
      if (readerGone) return;
      if (stream.write(JSON.stringify(record) + '\n')) return;
      // Every probe that finds the buffer full waits on the same drain (or on the reader quitting).
      drained ??= new Promise<void>((resolve) => {
        const release = (): void => {
          stream.off('drain', release);
          drained = null;
          releaseWaiters = null;
          resolve();
        };
        releaseWaiters = release;
        stream.once('drain', release);
      });
      return drained;
    },
    close() {
      if (stream === process.stdout) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
    },
  };
}
