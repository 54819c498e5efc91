/**
 * The stream the TLS layer reads after STARTTLS's 220: raw bytes from the
 * socket go to the probe's machine first (`onRaw`), and reach TLS only when
 * the machine hands them back (`deliver`). What TLS writes goes straight to
 * the socket. This is what lets plaintext sent where TLS was due be judged
 * the same way whether it shared a TCP segment with the 220 or came later.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export class TlsTap extends Duplex {
  constructor(
    private readonly raw: Socket,
    onRaw: (bytes: Buffer) => void,
  ) {
    super();
    raw.on('data', onRaw);
    raw.on('end', () => this.push(null));
    raw.on('error', (err) => this.destroy(err));
  }

  /** Bytes the machine let through to TLS, in order. */
  deliver(bytes: Uint8Array): void {
    if (!this.push(bytes)) this.raw.pause();
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.raw.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.raw.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.raw.destroy();
    done(error);
  }
}
