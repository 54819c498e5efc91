/**
 * One listening socket per fleet address, all on one port. Why not a single
 * socket on 0.0.0.0 (which Linux also delivers every 127.x.y.z to): that
 * socket listens on every interface, so a peer elsewhere on the network
 * completes a TCP handshake before the fleet can turn it away; bound to
 * loopback addresses only, no other interface has a port open at all. And
 * libuv accepts one connection per event-loop turn per listening socket, so
 * a single listener in a busy process leaves connected clients waiting in
 * its accept queue; one per address spreads them out.
 *
 * Port 0 picks the port once, on the first address, and uses it for all;
 * if another address then refuses it (EADDRINUSE: someone holds that port
 * on that address), every socket is closed and the whole bind starts again
 * on a new port, a few times.
 */
import type { Server } from 'node:net';

/** Whole binds tried with a new port before giving up. */
export const PORT_ATTEMPTS = 5;
/** Addresses bound at once: enough to be fast, few enough to leave the loop responsive. */
const BATCH = 256;

export interface BoundSet {
  port: number;
  servers: Server[];
}

/**
 * Binds `makeServer(i)` on `hosts[i]` for every i, on `port` (0: one free
 * port, chosen once). A fixed port that is taken fails with its EADDRINUSE.
 */
export async function bindEach(
  hosts: readonly string[],
  port: number,
  makeServer: (index: number) => Server,
): Promise<BoundSet> {
  for (let attempt = 1; ; attempt++) {
    const servers: Server[] = [];
    try {
      const first = await listenOn(makeServer(0), hosts[0] as string, port);
      servers.push(first.server);
      for (let start = 1; start < hosts.length; start += BATCH) {
        const batch: Promise<Server>[] = [];
        for (let i = start; i < Math.min(hosts.length, start + BATCH); i++) {
          batch.push(listenOn(makeServer(i), hosts[i] as string, first.port).then((l) => l.server));
        }
        const settled = await Promise.allSettled(batch);
        for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value);
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      }
      return { port: first.port, servers };
    } catch (err) {
      await closeAll(servers);
      const retry = port === 0 && attempt < PORT_ATTEMPTS && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!retry) throw err;
    }
  }
}

export function closeAll(servers: readonly Server[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(
    () => undefined,
  );
}

function listenOn(server: Server, host: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`listener on ${host} has no TCP address`));
        return;
      }
      resolve({ server, port: address.port });
    });
  });
}
