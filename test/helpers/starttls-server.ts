/**
 * A minimal STARTTLS SMTP server on loopback for certificate tests: banner,
 * EHLO with STARTTLS, 220, a real node:tls handshake with the certificate
 * chain given (sent exactly as given, in that order), EHLO inside TLS, QUIT.
 * It keeps what the client said: the SNI it sent and its commands.
 */
import { createServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

export interface StartTlsServerOptions {
  /** The banner's text after `220 ` (its first word is the host name the banner announces). */
  banner: string;
  /** The chain the server sends: leaf first, then whatever else the case wants sent. */
  chainPem: string;
  keyPem: string;
}

export interface StartTlsServer {
  port: number;
  /** Per TLS session, the SNI the client sent, or null when it sent none. */
  readonly serverNames: (string | null)[];
  /** Every command line received, in order, plaintext and TLS alike. */
  readonly commands: string[];
  close(): Promise<void>;
}

/** Calls `onLine` for each CRLF-terminated line the stream sends. */
function readLines(stream: Socket, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('latin1');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\r\n'); nl >= 0; nl = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      onLine(line);
    }
  });
}

export async function startStartTlsServer(opts: StartTlsServerOptions): Promise<StartTlsServer> {
  const secureContext = createSecureContext({ cert: opts.chainPem, key: opts.keyPem });
  const host = opts.banner.split(' ', 1)[0] ?? 'localhost';
  const serverNames: (string | null)[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();

  const answer = (stream: Socket, line: string, inTls: boolean): void => {
    commands.push(line);
    const verb = line.split(' ', 1)[0]?.toUpperCase();
    if (verb === 'EHLO') stream.write(inTls ? `250 ${host}\r\n` : `250-${host}\r\n250 STARTTLS\r\n`);
    else if (verb === 'QUIT') stream.end('221 2.0.0 Bye\r\n');
    else if (verb !== 'STARTTLS' || inTls) stream.write('502 5.5.2 Error: command not recognized\r\n');
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`220 ${opts.banner}\r\n`);
    readLines(socket, (line) => {
      if (line.toUpperCase() !== 'STARTTLS') return answer(socket, line, false);
      commands.push(line);
      socket.removeAllListeners('data');
      socket.write('220 2.0.0 Ready to start TLS\r\n');
      const tls = new TLSSocket(socket, { isServer: true, secureContext });
      tls.on('error', () => undefined);
      tls.once('secure', () => {
        const sni = (tls as TLSSocket & { servername?: string | false }).servername;
        serverNames.push(typeof sni === 'string' && sni !== '' ? sni : null);
      });
      readLines(tls, (tlsLine) => answer(tls, tlsLine, true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    serverNames,
    commands,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
