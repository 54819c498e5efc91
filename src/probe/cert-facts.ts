/**
 * Certificate facts for the record, read from the peer certificate Node has
 * already parsed during the handshake (one getPeerCertificate call; no second
 * X.509 parse of our own).
 */
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { CertStatus } from '../record.js';
import type { CertFacts } from './smtp/events.js';

/** Curve sizes for the key_bits column; Node reports EC keys by curve name, not size. */
const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp256k1: 256,
};

export function readCertFacts(socket: TLSSocket): CertFacts | null {
  const leaf = socket.getPeerCertificate(true);
  if (leaf === null || leaf.raw === undefined) return null;
  return {
    sha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
    status: certStatus(socket.authorized, socket.authorizationError),
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    sans: parseSubjectAltName(leaf.subjectaltname),
    not_before: toIsoDate(leaf.valid_from),
    not_after: toIsoDate(leaf.valid_to),
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

function distinguishedName(name: DetailedPeerCertificate['subject'] | undefined): string {
  if (name === undefined || name === null) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    // Repeated attributes (two OUs) arrive as arrays.
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${String(v)}`);
  }
  return parts.join(', ');
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

function keyFacts(leaf: DetailedPeerCertificate): { key_type: string | null; key_bits: number | null } {
  const cert = leaf as DetailedPeerCertificate & {
    asn1Curve?: string;
    nistCurve?: string;
    bits?: number;
    modulus?: string;
  };
  if (cert.modulus !== undefined) return { key_type: 'rsa', key_bits: cert.bits ?? null };
  const curve = cert.nistCurve ?? cert.asn1Curve;
  if (curve !== undefined) return { key_type: 'ec', key_bits: CURVE_BITS[curve] ?? cert.bits ?? null };
  return { key_type: cert.pubkey === undefined ? null : 'other', key_bits: cert.bits ?? null };
}

/**
 * Certificates in the chain as Node/OpenSSL built it, leaf included: what the
 * server sent, plus the trust anchor from our store when verification reached
 * one (a server sending leaf + intermediate to a known root counts 3), so it
 * is not a count of what was on the wire. A self-issued root ends the walk by
 * pointing at itself; 32 bounds a hostile loop.
 */
function chainLength(leaf: DetailedPeerCertificate): number {
  let n = 1;
  let cert = leaf;
  while (cert.issuerCertificate !== undefined && cert.issuerCertificate !== cert && n < 32) {
    cert = cert.issuerCertificate;
    n++;
  }
  return n;
}
