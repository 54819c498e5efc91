/**
 * JSON-lines output of records, to a file or stdout, with backpressure: when
 * the stream's buffer is full the returned promise holds the probe slot until
 * it drains, so a slow pipe slows the scan instead of growing memory.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ScanRecord } from '../record.js';

export interface JsonlSink<T = ScanRecord> {
  write(record: T): void | Promise<void>;
  close(): Promise<void>;
}

export function openJsonlSink<T = ScanRecord>(target: string): JsonlSink<T> {
  const stream: Writable = target === '-' ? process.stdout : createWriteStream(target, { flags: 'w' });
  let failure: Error | null = null;
  let drained: Promise<void> | null = null;
  stream.on('error', (err) => {
    failure ??= err;
  });
  return {
    write(record) {
      if (failure !== null) throw failure;
      if (stream.write(JSON.stringify(record) + '\n')) return;
      // Every probe that finds the buffer full waits on the same drain.
      drained ??= new Promise<void>((resolve) =>
        stream.once('drain', () => {
          drained = null;
          resolve();
        }),
      );
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
