/**
 * A tiny scripted SMTP client for testing the sim (not the scanner): raw
 * net/tls sockets on loopback, replies read with a deadline, every byte kept.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
}

export class RawSmtpClient {
  /** Every byte received, plaintext and decrypted, in order. */
  received = Buffer.alloc(0);
  private pending = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  closed = false;
  error: string | null = null;

  private constructor(private socket: Socket) {
    this.attach(socket);
  }

  static async open(
    ip: string,
    port: number,
    opts: { implicitTls?: boolean; ca?: string; localAddress?: string } = {},
  ): Promise<RawSmtpClient> {
    if (!ip.startsWith('127.') && ip !== '::1') throw new Error(`test client refuses non-loopback ${ip}`);
    // The source address matters to the path personas (a middlebox for some clients only).
    const local = opts.localAddress === undefined ? {} : { localAddress: opts.localAddress };
    const socket = opts.implicitTls
      ? tlsConnect({ host: ip, port, ...local, ...tlsOptions(opts.ca) })
      : connect({ host: ip, port, ...local });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.implicitTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSmtpClient(socket);
  }

  get tlsSocket(): TLSSocket | null {
    return 'getPeerCertificate' in this.socket ? (this.socket as TLSSocket) : null;
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.pending = Buffer.concat([this.pending, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err.code ?? err.message;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (this.closed) throw new Error(`closed while waiting for ${what} (error ${this.error ?? 'none'})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One complete reply (continuation lines included). */
  async readReply(timeoutMs = 3000): Promise<Reply> {
    return this.waitFor(() => this.takeReply(), 'a reply', timeoutMs);
  }

  private takeReply(): Reply | undefined {
    const lines: string[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf(10); nl !== -1; nl = this.pending.indexOf(10, start)) {
      const line = this.pending.toString('latin1', start, nl).replace(/\r$/, '');
      start = nl + 1;
      lines.push(line);
      if (line[3] !== '-') {
        this.pending = this.pending.subarray(start);
        return { code: Number(line.slice(0, 3)), lines };
      }
    }
    return undefined;
  }

  /** Take the bytes not yet consumed as a reply. */
  discardUnread(): Buffer {
    const unread = this.pending;
    this.pending = Buffer.alloc(0);
    return unread;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for close')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Hand the connection to TLS (after a 220 to STARTTLS). */
  async startTls(ca?: string): Promise<TLSSocket> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
    const secure = tlsConnect({ socket: this.socket, ...tlsOptions(ca) });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return secure;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Like a scanner: observe, never refuse (old versions, bad certificates), trust the sim CA when given. */
function tlsOptions(ca: string | undefined) {
  return {
    rejectUnauthorized: false,
    // Connected by IP: the name is compared with the banner, not checked here.
    checkServerIdentity: () => undefined,
    minVersion: 'TLSv1' as const,
    ciphers: 'ALL:@SECLEVEL=0',
    ...(ca === undefined ? {} : { ca }),
  };
}
