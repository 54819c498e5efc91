/**
 * Certificate facts for the record, read from the X509Certificate Node builds
 * from the handshake's peer chain; no second X.509 parse of our own.
 *
 * Why getPeerX509Certificate and not getPeerCertificate(true): the detailed
 * call converts every certificate to a plain object and looks the chain's
 * issuer up in the trust store (about 140 roots), 300–550 µs per probe here
 * against about 65 µs for these facts (BENCHMARKS.md, "What changed"), on
 * a probe that costs about 2 ms of CPU in all. Call only one of the two on a
 * socket: Node takes the X509Certificate's issuer chain out of the
 * connection's peer chain, so a later detailed call sees less.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { CertStatus } from '../record.js';
import type { CertFacts } from './smtp/events.js';

/** Curve sizes for the key_bits column; OpenSSL reports EC keys by curve name, not size. */
const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
};

export function readCertFacts(socket: TLSSocket): CertFacts | null {
  const leaf = socket.getPeerX509Certificate();
  if (leaf === undefined) return null;
  return {
    sha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
    status: certStatus(socket.authorized, socket.authorizationError),
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    sans: parseSubjectAltName(leaf.subjectAltName),
    not_before: toIsoDate(leaf.validFrom),
    not_after: toIsoDate(leaf.validTo),
    ...keyFacts(leaf),
    chain_len: chainLength(leaf),
  };
}

/**
 * Map OpenSSL's verification result to the record's vocabulary. The chain is
 * checked against the system roots plus --ca-file; the host name is not part
 * of cert_status (a scanner connects by IP): see cert_name_matches_banner.
 */
export function certStatus(authorized: boolean, error: Error | string | null | undefined): CertStatus {
  if (authorized) return 'valid';
  const code =
    typeof error === 'string'
      ? error
      : ((error as (Error & { code?: string }) | null | undefined)?.code ?? String(error ?? ''));
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_NOT_YET_VALID':
      return 'not-yet-valid';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'self-signed';
    default:
      return 'untrusted';
  }
}

/**
 * OpenSSL prints a name one attribute per line, in certificate order, with
 * control characters and RFC 2253 specials escaped ("C=US\nO=Example\nCN=mx"):
 * joined as "C=US, O=Example, CN=mx".
 */
function distinguishedName(name: string): string {
  return name.split('\n').join(', ');
}

/** "DNS:a.example, DNS:b.example, IP Address:192.0.2.1" → ["a.example", "b.example", "192.0.2.1"]. */
export function parseSubjectAltName(san: string | undefined): string[] {
  if (san === undefined || san === '') return [];
  const out: string[] = [];
  for (const entry of san.split(', ')) {
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon);
    if (kind === 'DNS' || kind === 'IP Address') out.push(entry.slice(colon + 1));
  }
  return out;
}

function toIsoDate(openSslDate: string): string {
  const d = new Date(openSslDate);
  return Number.isNaN(d.getTime()) ? openSslDate : d.toISOString();
}

function keyFacts(leaf: X509Certificate): { key_type: string | null; key_bits: number | null } {
  let key: KeyObject;
  try {
    key = leaf.publicKey;
  } catch {
    // A key type OpenSSL cannot load (GOST, a malformed key): the certificate is still recorded.
    return { key_type: 'other', key_bits: null };
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { key_type: 'rsa', key_bits: details.modulusLength ?? null };
    case 'ec':
      return { key_type: 'ec', key_bits: CURVE_BITS[details.namedCurve ?? ''] ?? null };
    default:
      return { key_type: 'other', key_bits: details.modulusLength ?? null };
  }
}

/**
 * Certificates the server sent, leaf included, in the order sent (a server
 * that also sends its root counts it; our trust store's anchor never
 * counts). 32 bounds the walk; OpenSSL already bounds the peer chain's size.
 */
function chainLength(leaf: X509Certificate): number {
  let n = 1;
  let cert = leaf.issuerCertificate;
  while (cert !== undefined && n < 32) {
    n++;
    cert = cert.issuerCertificate;
  }
  return n;
}
