/**
 * Benchmark 1, the runtime's floor: the same SMTP exchange as a stripscan
 * probe (connect, banner, EHLO, STARTTLS, TLS handshake with one shared
 * context, EHLO inside TLS, QUIT) written as plainly as Node allows, with no
 * classification, no records, no timers and no bounds. Not a scanner: a
 * yardstick. Prints one JSON ThroughputResult line.
 *
 * Run: npx tsx bench/floor-loop.ts '{"hosts":["127.16.0.0"],"port":2525,"probes":100,"concurrency":8,"caFile":"ca.pem"}'
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readCertFacts } from '../src/probe/cert-facts.js';
import { createProbeTlsContext } from '../src/probe/tls-context.js';
import { TlsTap } from '../src/probe/tls-tap.js';
import { cycledHosts, readThroughputConfig, type ThroughputResult } from './workers/throughput-config.js';

const config = readThroughputConfig(process.argv);
// stripscan's own context (same trust store and settings), so both verify the same chain.
const { secureContext, trustAnchors } = createProbeTlsContext({ caFile: config.caFile });

/** A reply is complete when its last line has a space after the code ("250 OK"), not a dash. */
function replyComplete(text: string): boolean {
  if (!text.endsWith('\n')) return false;
  const start = text.lastIndexOf('\n', text.length - 2) + 1;
  return text.charCodeAt(start + 3) === 32;
}

function probe(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port: config.port, noDelay: true });
    let step = 0;
    let buffered = '';
    const fail = (): void => {
      socket.destroy();
      resolve(false);
    };
    socket.on('error', fail);
    // Decoded per chunk rather than with setEncoding, so the socket can still hand bytes to a JS carrier.
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (!replyComplete(buffered)) return;
      const reply = buffered;
      buffered = '';
      if (step === 0) {
        socket.write('EHLO bench.stripscan.localhost\r\n');
      } else if (step === 1) {
        socket.write('STARTTLS\r\n');
      } else if (step === 2) {
        if (!reply.startsWith('220')) return fail();
        socket.removeAllListeners('data');
        // `carrier: 'js'` prices what stripscan's evidence rule costs: TLS over the tap (src/probe/tls-tap.ts),
        // every server byte passed on at once, against TLS on the socket's own handle.
        let carrier: Socket | TlsTap = socket;
        if (config.carrier === 'js') {
          const tap: TlsTap = new TlsTap(socket, (bytes) => tap.deliver(bytes));
          carrier = tap;
        }
        const tls = tlsConnect({
          socket: carrier as Socket,
          secureContext,
          rejectUnauthorized: false,
          servername: '',
          checkServerIdentity: () => undefined,
        });
        tls.on('error', fail);
        tls.setEncoding('latin1');
        tls.once('secureConnect', () => {
          if (config.certificate === 'facts') readCertFacts(tls, trustAnchors);
          else if (config.certificate === 'detailed') tls.getPeerCertificate(true);
          tls.write('EHLO bench.stripscan.localhost\r\n');
        });
        tls.on('data', (text: string) => {
          buffered += text;
          if (!replyComplete(buffered)) return;
          const ok = buffered.startsWith('250');
          tls.end('QUIT\r\n');
          resolve(ok);
        });
      }
      step++;
    });
  });
}

let completed = 0;
const targets = cycledHosts(config.hosts, config.probes);
async function lane(): Promise<void> {
  for (let next = targets.next(); next.done !== true; next = targets.next()) {
    if (await probe(next.value)) completed++;
  }
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: config.concurrency }, lane));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const result: ThroughputResult = {
  probes: config.probes,
  seconds,
  probesPerSecond: config.probes / seconds,
  completed,
  cpuUsPerProbe: (cpu.user + cpu.system) / config.probes,
  jsonBytes: 0,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
