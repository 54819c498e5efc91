/**
 * A stand-in for a ClickHouse server's HTTP interface, for the one fault no
 * installable server can be made to show on cue: a server that answers, then
 * drops connections. No modern ClickHouse server can be installed here (the
 * Debian package is 2018's 18.16), so the test controls the endpoint: it
 * answers /ping with "Ok.", any query with an empty 200 (a SELECT then has no
 * rows, a DDL or an INSERT succeeded) unless `reply` gives the body, and
 * destroys the connection of every request `drop` picks. It keeps what it was sent, so a test can check that
 * the real @clickhouse/client sent what a ClickHouse server would have stored.
 * Loopback only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  /** The SQL: the `query` parameter, else the body. */
  sql: string;
  body: string;
  /** The body as sent (a Native insert is binary). */
  bytes: Buffer;
}

export interface StandIn {
  readonly port: number;
  readonly url: string;
  /** Requests answered (dropped ones are not kept). */
  readonly answered: SeenRequest[];
  dropped: number;
  /** Which requests get their connection destroyed instead of an answer. */
  drop: (request: SeenRequest) => boolean;
  /** The body of a 200 answer (rows in the requested format); undefined: empty. */
  reply: (request: SeenRequest) => string | undefined;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startClickHouseStandIn(port = 0): Promise<StandIn> {
  const sockets = new Set<Socket>();
  const standIn: StandIn = {
    port: 0,
    url: '',
    answered: [],
    dropped: 0,
    drop: () => false,
    reply: () => undefined,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((bytes) => {
      const body = bytes.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        params: url.searchParams,
        sql: url.searchParams.get('query') ?? body,
        body,
        bytes,
      };
      if (standIn.drop(seen)) {
        standIn.dropped += 1;
        req.socket.destroy();
        return;
      }
      standIn.answered.push(seen);
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
      res.end(url.pathname === '/ping' ? 'Ok.\n' : (standIn.reply(seen) ?? ''));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = address !== null && typeof address === 'object' ? address.port : port;
  return Object.assign(standIn, {
    port: bound,
    url: `http://127.0.0.1:${bound}/default`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}
