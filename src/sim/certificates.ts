/**
 * The sim's certificates, generated in memory at start with @peculiar/x509
 * over WebCrypto: no files from the web, no openssl binary, nothing on disk.
 * A fresh CA per fleet means a test can only trust what this fleet issued.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first.
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The host name every persona announces in its banner and the valid certificates cover. */
export const SIM_HOST = 'mx.stripscan-sim.test';
/** The name on the wrong-name certificate: a valid chain for another host. */
export const WRONG_HOST = 'other-host.stripscan-sim.test';

export const CERT_VARIANTS = [
  'ecdsa',
  'rsa',
  'expired',
  'not-yet-valid',
  'self-signed',
  'expired-self-signed',
  'wrong-name',
] as const;
export type CertVariant = (typeof CERT_VARIANTS)[number];

/** What the scanner should read from a certificate (names as in the record's cert_* columns). */
export interface SimCertificate {
  certPem: string;
  keyPem: string;
  sha256: string;
  keyType: 'ec' | 'rsa';
  keyBits: number;
  sans: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface SimCertificates {
  caPem: string;
  variants: Record<CertVariant, SimCertificate>;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const DAY_MS = 86_400_000;

let providerSet = false;

export async function generateSimCertificates(now: Date = new Date()): Promise<SimCertificates> {
  if (!providerSet) {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    providerSet = true;
  }
  const t = now.getTime();
  const caKeys = await generateKeys(ECDSA);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=stripscan sim CA, O=stripscan simulated fleet',
    notBefore: new Date(t - DAY_MS),
    notAfter: new Date(t + 3650 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  // One EC leaf key serves every EC variant: the variants differ in dates, names and issuer, not keys.
  const ecKeys = await generateKeys(ECDSA);
  const rsaKeys = await generateKeys(RSA);
  const current = { notBefore: new Date(t - DAY_MS), notAfter: new Date(t + 365 * DAY_MS) };
  const issuedBy = { name: ca.subject, keys: caKeys };

  const variants: Record<CertVariant, SimCertificate> = {
    ecdsa: await issueLeaf(ecKeys, 'ec', 256, SIM_HOST, current, issuedBy),
    rsa: await issueLeaf(rsaKeys, 'rsa', 2048, SIM_HOST, current, issuedBy),
    expired: await issueLeaf(
      ecKeys,
      'ec',
      256,
      SIM_HOST,
      { notBefore: new Date(t - 400 * DAY_MS), notAfter: new Date(t - 30 * DAY_MS) },
      issuedBy,
    ),
    'not-yet-valid': await issueLeaf(
      ecKeys,
      'ec',
      256,
      SIM_HOST,
      { notBefore: new Date(t + 30 * DAY_MS), notAfter: new Date(t + 400 * DAY_MS) },
      issuedBy,
    ),
    'self-signed': await issueLeaf(ecKeys, 'ec', 256, SIM_HOST, current, null),
    'expired-self-signed': await issueLeaf(
      ecKeys,
      'ec',
      256,
      SIM_HOST,
      { notBefore: new Date(t - 400 * DAY_MS), notAfter: new Date(t - 30 * DAY_MS) },
      null,
    ),
    'wrong-name': await issueLeaf(ecKeys, 'ec', 256, WRONG_HOST, current, issuedBy),
  };
  return { caPem: ca.toString('pem') + '\n', variants };
}

async function generateKeys(algorithm: typeof ECDSA | typeof RSA): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function issueLeaf(
  keys: CryptoKeyPair,
  keyType: 'ec' | 'rsa',
  keyBits: number,
  host: string,
  validity: { notBefore: Date; notAfter: Date },
  issuer: { name: string; keys: CryptoKeyPair } | null,
): Promise<SimCertificate> {
  // The signer's key decides the algorithm: the CA is ECDSA; a self-signed leaf signs with its own key.
  const signingAlgorithm = issuer === null && keyType === 'rsa' ? RSA : ECDSA;
  const extensions = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
  ];
  const subject = `CN=${host}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer?.name ?? subject,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer?.keys.privateKey ?? keys.privateKey,
    signingAlgorithm,
    extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    sha256: createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex'),
    keyType,
    keyBits,
    sans: [host],
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** 16 random bytes with the top bit clear: a positive serial, unique per fleet start. */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
