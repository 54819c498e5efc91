/**
 * The stream the TLS layer reads after STARTTLS's 220: raw bytes from the
 * socket go to the probe's machine first (`onRaw`), and reach TLS only when
 * the machine hands them back (`deliver`). What TLS writes goes straight to
 * the socket. This is what lets plaintext sent where TLS was due be judged
 * the same way whether it shared a TCP segment with the 220 or came later.
 *
 * Why not a stream.Duplex: Node's TLS layer drives a JavaScript carrier
 * through its own wrapper (a net.Socket over a JSStream handle), which calls
 * only on/once, pause/resume, cork/write/uncork, end and destroy, and reads
 * `_readableState.objectMode`. A Duplex between that wrapper and the socket
 * added a second buffered stream on each side of every handshake byte; this
 * pass-through costs about 7 % of the probe path's throughput less
 * (BENCHMARKS.md, "Where the time goes (probe)"). Flow control is the
 * socket's own: the wrapper pauses and resumes the carrier, which pauses and
 * resumes the socket; the wrapper feeds TLS synchronously, so nothing waits
 * in between.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class TlsTap extends EventEmitter {
  /** Read by Node's wrapper on every chunk: bytes only, never objects. */
  readonly _readableState = { objectMode: false };
  readonly readable = true;
  readonly writable = true;

  constructor(
    private readonly raw: Socket,
    onRaw: (bytes: Buffer) => void,
  ) {
    super();
    raw.on('data', onRaw);
    raw.on('end', () => this.emit('end'));
    raw.on('error', (err) => this.emit('error', err));
    raw.on('close', () => this.emit('close'));
  }

  /** Bytes the machine let through to TLS, in order. */
  deliver(bytes: Uint8Array): void {
    this.emit('data', bytes);
  }

  pause(): this {
    this.raw.pause();
    return this;
  }

  resume(): this {
    this.raw.resume();
    return this;
  }

  cork(): void {
    this.raw.cork();
  }

  uncork(): void {
    this.raw.uncork();
  }

  write(chunk: Uint8Array, done: (error?: Error | null) => void): boolean {
    return this.raw.write(chunk, done);
  }

  end(done?: () => void): this {
    this.raw.end(done);
    return this;
  }

  destroy(): this {
    this.raw.destroy();
    return this;
  }
}
