/**
 * The probe against an independent SMTP implementation (nodemailer's
 * smtp-server), so that the classifier is not only tested against our own
 * simulated fleet.
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget, type DriverOptions } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { generateSimCertificates, SIM_HOST, type SimCertificates } from '../../src/sim/certificates.js';

let certs: SimCertificates;
let caFile: string;

beforeAll(async () => {
  certs = await generateSimCertificates();
  caFile = join(mkdtempSync(join(tmpdir(), 'stripscan-ca-')), 'ca.pem');
  writeFileSync(caFile, certs.caPem);
});

function driverOptions(overrides: Partial<DriverOptions> = {}): DriverOptions {
  return {
    ehloName: 'scanner.stripscan.test',
    forceStartTls: true,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    tlsContext: createProbeTlsContext({ caFile }),
    ...overrides,
  };
}

async function startSmtpServer(
  options: ConstructorParameters<typeof SMTPServer>[0],
): Promise<{ port: number; server: SMTPServer }> {
  const server = new SMTPServer({ name: SIM_HOST, logger: false, authOptional: true, ...options });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { port: address.port, server };
}

describe('probe against smtp-server', () => {
  const servers: SMTPServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('records tls-ok with the negotiated version and the certificate facts when STARTTLS works', async () => {
    const { port, server } = await startSmtpServer({
      key: certs.variants.ecdsa.keyPem,
      cert: certs.variants.ecdsa.certPem,
    });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions());
    expect(record).toMatchObject({
      ip: '127.0.0.1',
      port,
      outcome: 'tls-ok',
      fingerprints: [],
      error_stage: null,
      banner_code: 220,
      ehlo_code: 250,
      starttls_advertised: true,
      starttls_sent: true,
      starttls_code: 220,
      tls_version: 'TLSv1.3',
      cert_sha256: certs.variants.ecdsa.sha256,
      cert_status: 'valid',
      cert_key_type: 'ec',
      cert_key_bits: 256,
      cert_name_matches_banner: true,
      // The server sends only its leaf; our CA, the anchor, does not count.
      cert_chain_len: 1,
      post_tls_ehlo_code: 250,
    });
    expect(record.ehlo_keywords).toContain('STARTTLS');
    expect(record.post_tls_ehlo_keywords).not.toContain('STARTTLS');
    expect(record.cert_sans).toContain(SIM_HOST);
    expect(record.transcript).toContain('C: STARTTLS');
    expect(new Date(record.ts).toISOString()).toBe(record.ts);
  });

  it('records no-starttls when the server has STARTTLS disabled, and no fingerprint', async () => {
    const { port, server } = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions());
    expect(record.outcome).toBe('no-starttls');
    expect(record.fingerprints).toEqual([]);
    expect(record.starttls_advertised).toBe(false);
    expect(record.starttls_sent).toBe(true);
    expect(record.starttls_code).toBeGreaterThanOrEqual(500);
    expect(record.tls_version).toBeNull();
  });

  it('does not send STARTTLS when not advertised and forcing is off', async () => {
    const { port, server } = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions({ forceStartTls: false }));
    expect(record.outcome).toBe('no-starttls');
    expect(record.starttls_sent).toBe(false);
    expect(record.starttls_code).toBeNull();
    expect(record.transcript).not.toContain('STARTTLS');
  });

  it('speaks implicit TLS (port 465 style) when the server is secure from the first byte', async () => {
    const { port, server } = await startSmtpServer({
      secure: true,
      key: certs.variants.rsa.keyPem,
      cert: certs.variants.rsa.certPem,
    });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions({ implicitTls: true }));
    expect(record).toMatchObject({
      outcome: 'tls-ok',
      implicit_tls: true,
      starttls_sent: false,
      cert_key_type: 'rsa',
      cert_key_bits: 2048,
      cert_sha256: certs.variants.rsa.sha256,
      banner_code: 220,
    });
  });

  it('records the certificate as untrusted when the CA is not given', async () => {
    const { port, server } = await startSmtpServer({
      key: certs.variants.ecdsa.keyPem,
      cert: certs.variants.ecdsa.certPem,
    });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions({ tlsContext: createProbeTlsContext() }));
    expect(record.outcome).toBe('tls-ok');
    expect(record.cert_status).toBe('untrusted');
    expect(record.cert_chain_len).toBe(1);
  });

  it('counts every certificate the server sends in cert_chain_len, its root included', async () => {
    const { port, server } = await startSmtpServer({
      key: certs.variants.ecdsa.keyPem,
      cert: certs.variants.ecdsa.certPem + certs.caPem,
    });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions());
    expect(record).toMatchObject({
      outcome: 'tls-ok',
      cert_status: 'valid',
      cert_chain_len: 2,
      cert_sha256: certs.variants.ecdsa.sha256,
      cert_subject: expect.stringContaining('CN=') as unknown,
    });
    expect(record.cert_issuer).toBe('CN=stripscan sim CA, O=stripscan simulated fleet');
  });

  it('records a key type it has no size rule for (Ed25519) as other, with the rest of the facts', async () => {
    // generateSimCertificates set @peculiar/x509's crypto provider in beforeAll.
    const alg = { name: 'Ed25519' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=ed25519.stripscan-sim.test',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keys,
      signingAlgorithm: alg,
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const { port, server } = await startSmtpServer({
      key: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`,
      cert: cert.toString('pem'),
    });
    servers.push(server);
    const record = await probeTarget({ ip: '127.0.0.1', port }, driverOptions());
    expect(record).toMatchObject({
      outcome: 'tls-ok',
      cert_status: 'self-signed',
      cert_key_type: 'other',
      cert_key_bits: null,
      cert_chain_len: 1,
      cert_subject: 'CN=ed25519.stripscan-sim.test',
    });
  });
});
