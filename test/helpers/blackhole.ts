/**
 * A loopback listener that never accepts: its accept queue fills, after which
 * the kernel drops further SYNs and a connect attempt times out. This is how
 * a connect timeout is produced without any address but loopback.
 */
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

// The worker listens, reports its port, then blocks its own event loop so the
// listen socket is never accepted from.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000), 50);
});
`;

export async function startBlackhole(): Promise<Blackhole> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, 150));
  // Fill the accept queue (backlog 1 queues two).
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      await worker.terminate();
    },
  };
}
