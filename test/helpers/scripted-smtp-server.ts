/**
 * A scripted SMTP server on loopback for adversarial cases: a banner, then a
 * reply per command verb, written as one or more separate TCP writes (with a
 * pause between them, so they travel in separate segments), optionally
 * followed by a real TLS handshake after STARTTLS. Each server is one test's
 * fixture; close() ends every connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** One reply: the bytes, or several pieces written apart. An empty string sends nothing (the server stalls). */
export type Scripted = string | string[];

export interface Script {
  banner: Scripted;
  /** By upper-case verb: EHLO, HELO, STARTTLS, QUIT. Anything else gets `500 unrecognized command`. */
  replies: Partial<Record<string, Scripted>>;
  /** After a STARTTLS reply starting 220: do a TLS handshake with this context (else just keep reading). */
  tls?: SecureContext;
  /** After the handshake, stall instead of shaking hands (the handshake never completes). */
  stallHandshake?: boolean;
  /** Pause between the pieces of one reply (ms, default 30). */
  pieceGapMs?: number;
  /** Where to listen (default 127.0.0.1, a free port): the domain tests give each MX host its own 127.x address. */
  listen?: { host: string; port: number };
}

export interface ScriptedServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

const INSIDE_TLS_EHLO = '250-mx.example.test\r\n250 8BITMIME\r\n';

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const gap = script.pieceGapMs ?? 30;
  let connections = 0;

  const write = (socket: Socket, reply: Scripted, then?: () => void): void => {
    const pieces = (Array.isArray(reply) ? reply : [reply]).filter((p) => p !== '');
    const next = (i: number): void => {
      if (socket.destroyed) return;
      if (i >= pieces.length) {
        then?.();
        return;
      }
      socket.write(Buffer.from(pieces[i] ?? '', 'latin1'));
      if (i + 1 >= pieces.length) {
        then?.();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        next(i + 1);
      }, gap);
      timers.add(timer);
    };
    next(0);
  };

  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    let handedOver = false;
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      let end: number;
      while (!handedOver && (end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const verb = (line.split(' ', 1)[0] ?? '').toUpperCase();
        if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        }
        const reply = script.replies[verb] ?? '500 unrecognized command\r\n';
        const startsTls = verb === 'STARTTLS' && (Array.isArray(reply) ? reply[0] : reply)?.startsWith('220');
        if (startsTls && script.tls !== undefined) {
          handedOver = true;
          socket.off('data', onData);
          write(socket, reply, () => {
            if (script.stallHandshake === true) return;
            const secure = new TLSSocket(socket, { isServer: true, secureContext: script.tls });
            secure.on('error', () => socket.destroy());
            secure.setEncoding('latin1');
            secure.on('data', (d: string) => {
              if (/^EHLO/i.test(d)) secure.write(INSIDE_TLS_EHLO);
              else if (/^QUIT/i.test(d)) secure.end('221 bye\r\n');
            });
          });
          return;
        }
        write(socket, reply);
      }
    };
    socket.on('data', onData);
    write(socket, script.banner);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(script.listen?.port ?? 0, script.listen?.host ?? '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('scripted server has no port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
