/**
 * What readCertFacts costs per probe (src/probe/cert-facts.ts), for a chain
 * OpenSSL authorized (the fast path) and for the ones it refused, which
 * cert_status judges again (src/probe/cert-trust.ts). Run:
 *
 *   npx tsx bench/cert-facts-bench.ts [handshakes per round, default 500]
 *
 * Node hands a socket's peer certificate out once, so each call needs a
 * handshake of its own: a round opens that many TLS 1.3 connections over
 * loopback, then times one tight loop calling readCertFacts once on each
 * (the handshakes stay out of the timing, and the loop averages the noise
 * of a shared machine). The cases take turns for 8 rounds, so a load spike
 * hits them all; the figure is µs per call, best and median round. The sim's certificates (ECDSA P-256 under a CA of its own) serve
 * every case; "untrusted" is the valid leaf without that CA in --ca-file.
 * Each case serves one certificate again and again, so after its first call
 * the facts read from the certificate's bytes come from the per-fingerprint
 * cache (cert-facts.ts): the figure is the price of a certificate seen before.
 * The first refused chain of a process also builds the trust-anchor index
 * (the system roots parsed once), reported apart.
 *
 * Then the judgement alone (judgeRefusedChain, what a refused chain adds to
 * the facts every certificate costs), in a tight loop on the same
 * certificate objects, 20,000 calls per case: the fields it reads (subject,
 * issuer, fingerprint) are read for the record anyway.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { readCertFacts } from '../src/probe/cert-facts.js';
import { judgeRefusedChain } from '../src/probe/cert-trust.js';
import { createProbeTlsContext, type ProbeTlsContext } from '../src/probe/tls-context.js';
import { generateSimCertificates, type SimCertificate } from '../src/sim/certificates.js';
import { median } from './harness/median.js';

const perRound = Number(process.argv[2] ?? 500);
const ROUNDS = 8;

interface Case {
  name: string;
  server: Server;
  ctx: ProbeTlsContext;
  rounds: number[];
}

async function handshake(server: Server, ctx: ProbeTlsContext): Promise<TLSSocket> {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return new Promise((resolve, reject) => {
    const tls = connect({
      host: '127.0.0.1',
      port: address.port,
      secureContext: ctx.secureContext,
      rejectUnauthorized: false,
      servername: '',
      checkServerIdentity: () => undefined,
    });
    tls.on('error', reject);
    tls.once('secureConnect', () => resolve(tls));
  });
}

async function serve(cert: SimCertificate): Promise<Server> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** µs per readCertFacts call over `n` fresh handshakes. */
async function perCall(c: Case, n: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: n }, () => handshake(c.server, c.ctx)));
  const t0 = performance.now();
  for (const socket of sockets) {
    if (readCertFacts(socket, c.ctx.trustAnchors) === null) throw new Error(`${c.name}: no certificate`);
  }
  const us = ((performance.now() - t0) * 1000) / n;
  for (const socket of sockets) socket.destroy();
  return us;
}

function judgeAlone(trusting: ProbeTlsContext, stranger: ProbeTlsContext): void {
  const x = (pem: string): X509Certificate => new X509Certificate(pem);
  const ca = x(certs.caPem);
  const now = Date.now();
  const judged: [string, X509Certificate, X509Certificate[], ProbeTlsContext][] = [
    ['judge: self-signed', x(certs.variants['self-signed'].certPem), [], trusting],
    ['judge: untrusted, CA not sent', x(certs.variants.ecdsa.certPem), [], stranger],
    [
      'judge: untrusted, unknown CA sent (names lead nowhere: no signature verified)',
      x(certs.variants.ecdsa.certPem),
      [ca],
      stranger,
    ],
    ['judge: expired (trusted path: one signature verified)', x(certs.variants.expired.certPem), [], trusting],
  ];
  const n = 20_000;
  for (const [name, leaf, sent, ctx] of judged) {
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) judgeRefusedChain(leaf, sent, ctx.trustAnchors, now);
      rounds.push(((performance.now() - t0) * 1000) / n);
    }
    const line = { case: name, calls: n * 5, status: judgeRefusedChain(leaf, sent, ctx.trustAnchors, now) };
    process.stdout.write(
      JSON.stringify({
        ...line,
        bestUs: Math.round(Math.min(...rounds) * 10) / 10,
        medianUs: Math.round(median(rounds) * 10) / 10,
      }) + '\n',
    );
  }
}

const certs = await generateSimCertificates();
const dir = mkdtempSync(join(tmpdir(), 'stripscan-cert-bench-'));
const servers: Server[] = [];
try {
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, certs.caPem);
  const trusting = createProbeTlsContext({ caFile });
  const stranger = createProbeTlsContext();
  const cases: Case[] = [];
  for (const [name, cert, ctx] of [
    ['valid (authorized: fast path)', certs.variants.ecdsa, trusting],
    ['self-signed', certs.variants['self-signed'], trusting],
    ['untrusted (unknown CA)', certs.variants.ecdsa, stranger],
    ['expired (trusted path: one signature verified)', certs.variants.expired, trusting],
  ] as const) {
    const server = await serve(cert);
    servers.push(server);
    cases.push({ name, server, ctx, rounds: [] });
  }
  const [, selfSigned, untrusted] = cases;
  if (selfSigned === undefined || untrusted === undefined) throw new Error('cases missing');
  const first = await perCall(selfSigned, 1);
  process.stdout.write(
    JSON.stringify({ case: 'first refused chain (builds the anchor index)', us: Math.round(first) }) + '\n',
  );
  await perCall(untrusted, 1);
  for (const c of cases) await perCall(c, 100); // JIT warm-up
  for (let round = 0; round < ROUNDS; round++) for (const c of cases) c.rounds.push(await perCall(c, perRound));
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  for (const c of cases) {
    const line = {
      case: c.name,
      calls: perRound * ROUNDS,
      bestUs: round1(Math.min(...c.rounds)),
      medianUs: round1(median(c.rounds)),
    };
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  judgeAlone(trusting, stranger);
} finally {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
}
