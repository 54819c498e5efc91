/** One listening socket per address, one port for all: chosen once on port 0, and chosen again when taken. */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFleet } from '../../src/sim/index.js';
import { UsageError } from '../../src/errors.js';
import { bindEach, closeAll } from '../../src/sim/listeners.js';

const HOSTS = ['127.16.9.1', '127.16.9.2', '127.16.9.3'];

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve());
  });
}

describe('bindEach', () => {
  it('binds every address on its own socket, on the one port the first address got', async () => {
    const { port, servers } = await bindEach(HOSTS, 0, () => createServer());
    try {
      expect(servers.map((s) => s.address())).toEqual(HOSTS.map((address) => ({ address, family: 'IPv4', port })));
    } finally {
      await closeAll(servers);
    }
  });

  it('binds the whole set again on a new port when another address finds the first one taken', async () => {
    const blocker = createServer();
    const made: Server[] = [];
    let taken = 0;
    const { port, servers } = await bindEach(HOSTS, 0, (i) => {
      const server = createServer();
      if (i === 1 && taken === 0) {
        // The first address has just got its port: someone else now holds it on the second address.
        const first = made.at(-1)?.address();
        if (first === null || typeof first !== 'object') throw new Error('first address not bound');
        taken = first.port;
        // Bound before the second address's own listen, which Node runs on a later tick.
        blocker.listen({ host: HOSTS[1], port: taken });
      }
      made.push(server);
      return server;
    });
    try {
      expect(taken).toBeGreaterThan(0);
      expect(port).not.toBe(taken);
      expect(servers).toHaveLength(HOSTS.length);
      expect(made.length).toBeGreaterThan(HOSTS.length);
      expect(blocker.address()).toMatchObject({ address: HOSTS[1], port: taken });
    } finally {
      await closeAll(servers);
      blocker.close();
    }
  });

  it('gives a fixed port that is taken back as EADDRINUSE, and leaves nothing bound', async () => {
    const blocker = createServer();
    await listen(blocker, HOSTS[2] as string, 0);
    const port = (blocker.address() as { port: number }).port;
    const made: Server[] = [];
    try {
      await expect(
        bindEach(HOSTS, port, () => {
          const s = createServer();
          made.push(s);
          return s;
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(made.filter((s) => s.listening)).toHaveLength(0);
    } finally {
      blocker.close();
    }
  });
});

describe('startFleet in one process', () => {
  it('refuses a range with more listeners than one process may hold, pointing at stripscan sim', async () => {
    await expect(startFleet({ range: '127.16.0.0/16' })).rejects.toThrow(UsageError);
    await expect(startFleet({ range: '127.16.0.0/16' })).rejects.toThrow(/several processes/);
  });
});
