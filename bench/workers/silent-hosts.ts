/**
 * Silent SMTP hosts for the multi-process in-flight benchmark: listens on
 * every address of one IPv4 loopback CIDR at one port, accepts, and never
 * says a word, so every probe waits out its banner deadline with its socket
 * open. Run several, one per part of the range: each accepted connection is
 * an open file here too, and a process may hold only so many.
 * Prints `ready` once every address listens; ends on SIGTERM.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { formatIpv4, parseIpv4 } from '../../src/targets/index.js';

const [cidr = '', portText = ''] = process.argv.slice(2);
const [base = '', bitsText = ''] = cidr.split('/');
const first = parseIpv4(base);
if (first === null) throw new Error(`silent-hosts: ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
const size = 2 ** (32 - Number(bitsText));
const port = Number(portText);
const held = new Set<Socket>();
const servers: Server[] = [];

const hold = (socket: Socket): void => {
  held.add(socket);
  socket.pause();
  socket.on('error', () => undefined);
  socket.on('close', () => held.delete(socket));
};

await Promise.all(
  Array.from({ length: size }, (_, k) => {
    const server = createServer(hold);
    servers.push(server);
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: formatIpv4(first + k), port, backlog: 511 }, resolve);
    });
  }),
);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  for (const socket of held) socket.destroy();
  for (const server of servers) server.close();
  process.exit(0);
});
