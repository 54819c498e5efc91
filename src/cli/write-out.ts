/**
 * Output to stdout (or any stream) with backpressure, for a reader that may
 * quit: `stripscan query … | head` closes the pipe, the next write fails
 * with EPIPE, and that ends the writing, not the program. Node ignores
 * SIGPIPE, so without this the error would surface as a crash or, with a
 * write waiting for a 'drain' that never comes, as exit 13 and nothing said.
 */
import type { Writable } from 'node:stream';

export type WriteEnd = 'complete' | 'reader-gone';

/** True for the error a write meets when the pipe's reader has gone. */
export function isReaderGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

export async function writeAll(out: Writable, chunks: AsyncIterable<string | Uint8Array>): Promise<WriteEnd> {
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const onError = (err: Error): void => {
    failure ??= err;
    wake?.();
  };
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (failure === null && !out.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            wake = null;
            resolve();
          };
          wake = done;
          out.once('drain', done);
        });
      }
      if (failure !== null) break;
    }
    // A last write's EPIPE arrives on the next turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    out.off('error', onError);
    // Later writes (none are made) and a late error must not crash the program.
    if (failure !== null) out.on('error', () => undefined);
  }
  if (failure === null) return 'complete';
  if (isReaderGone(failure)) return 'reader-gone';
  throw failure;
}
