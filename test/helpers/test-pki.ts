/**
 * Certificates made in the test, with @peculiar/x509 over WebCrypto: roots,
 * intermediates and leaves with the dates, names and issuers a case needs.
 * Made per test run (never read from disk or the web), so a test trusts only
 * what it issued, and expired / not-yet-valid dates are relative to now.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first.
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const DAY_MS = 86_400_000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface Issued {
  name: string;
  keys: webcrypto.CryptoKeyPair;
  /** This certificate alone, PEM. */
  pem: string;
  keyPem: string;
  /** Node's view of it, for unit tests of the chain logic. */
  x509: X509Certificate;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** Windows relative to now: current, ended 30 days ago, starting in 30 days. */
export function window(kind: 'current' | 'expired' | 'not-yet-valid', now = Date.now()): Validity {
  switch (kind) {
    case 'current':
      return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 365 * DAY_MS) };
    case 'expired':
      return { notBefore: new Date(now - 400 * DAY_MS), notAfter: new Date(now - 30 * DAY_MS) };
    case 'not-yet-valid':
      return { notBefore: new Date(now + 30 * DAY_MS), notAfter: new Date(now + 400 * DAY_MS) };
  }
}

let serial = 0;

async function issue(opts: {
  subject: string;
  issuer: Issued | null;
  validity: Validity;
  extensions: x509.Extension[];
}): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  serial++;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString(16).padStart(4, '0'),
    subject: opts.subject,
    issuer: opts.issuer?.name ?? opts.subject,
    ...opts.validity,
    publicKey: keys.publicKey,
    signingKey: opts.issuer?.keys.privateKey ?? keys.privateKey,
    signingAlgorithm: ECDSA,
    extensions: opts.extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const pem = cert.toString('pem') + '\n';
  return {
    name: opts.subject,
    keys,
    pem,
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    x509: new X509Certificate(pem),
  };
}

/** A CA certificate: self-signed when `issuer` is null (a root), else an intermediate. */
export function makeCa(
  subject: string,
  opts: { issuer?: Issued; validity?: Validity; pathLength?: number } = {},
): Promise<Issued> {
  return issue({
    subject,
    issuer: opts.issuer ?? null,
    validity: opts.validity ?? window('current'),
    extensions: [
      new x509.BasicConstraintsExtension(true, opts.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
}

/**
 * A TLS server certificate: self-signed when `issuer` is null. The key usage
 * of a server certificate (no keyCertSign), as real self-signed server
 * certificates usually have.
 */
export function makeLeaf(opts: {
  issuer: Issued | null;
  subject?: string;
  dns?: string[];
  ips?: string[];
  validity?: Validity;
}): Promise<Issued> {
  const names = [
    ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return issue({
    subject: opts.subject ?? `CN=${opts.dns?.[0] ?? opts.ips?.[0] ?? 'leaf.example.test'}`,
    issuer: opts.issuer,
    validity: opts.validity ?? window('current'),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
}
