/**
 * Certificate facts for the record, read from the X509Certificate Node builds
 * from the handshake's peer chain; no second X.509 parse of our own.
 *
 * Why getPeerX509Certificate and not getPeerCertificate(true): the detailed
 * call converts every certificate to a plain object and looks the chain's
 * issuer up in the trust store (about 140 roots), 300–550 µs per probe here
 * against about 65 µs for these facts (BENCHMARKS.md, "What changed"), on
 * a probe that costs about 2 ms of CPU in all. Call either only once on a
 * socket: Node takes the certificates out of the connection's peer chain as
 * it builds the X509Certificate (a second getPeerX509Certificate returns
 * nothing), so a later detailed call sees less.
 *
 * cert_status: a chain OpenSSL authorized is `valid` at no extra cost; only a
 * refused one is judged again (cert-trust.ts), from the certificates already
 * in hand and an index of the anchors built once per process (25–100 ms,
 * paid by the first refused chain). The judgement adds about 1 µs to a
 * self-signed or untrusted chain, and one signature verification (about
 * 60 µs for ECDSA P-256) to a refused chain that does reach an anchor
 * (expired, not yet valid): `npx tsx bench/cert-facts-bench.ts`.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { CertFacts } from './smtp/events.js';
import { certCovers } from './cert-coverage.js';
import { judgeRefusedChain, validityOf } from './cert-trust.js';
import type { TrustAnchors } from './trust-anchors.js';

/** Curve sizes for the key_bits column; OpenSSL reports EC keys by curve name, not size. */
const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
};

/**
 * Certificates a server may send that we look at, leaf included (OpenSSL
 * already bounds the peer chain's size; this bounds our walk).
 */
const MAX_SENT = 32;

/**
 * The facts of the certificate `socket` received; null when the server sent
 * none. `trustAnchors` must be the ones the socket's context trusts
 * (createProbeTlsContext gives both); `nowMs` is the probe time the
 * validity windows are read at; `onChain`, when given, receives the DER of
 * every certificate the server sent, leaf first (the peer chain can be read
 * only once, so it is handed out here).
 */
export function readCertFacts(
  socket: TLSSocket,
  trustAnchors: TrustAnchors,
  nowMs = Date.now(),
  onChain?: (der: Buffer[]) => void,
): CertFacts | null {
  const leaf = socket.getPeerX509Certificate();
  if (leaf === undefined) return null;
  const sent = issuersSent(leaf);
  // DANE (stripscan domains) matches the chain as sent; only a caller that asks pays for the copies.
  onChain?.([leaf.raw, ...sent.map((c) => c.raw)]);
  const facts = leafFacts(leaf);
  return {
    sha256: facts.sha256,
    // The host name is not part of cert_status (a scanner connects by IP): see cert_name_matches*.
    status: socket.authorized ? 'valid' : judgeRefusedChain(leaf, sent, trustAnchors, nowMs),
    validity: validityOf(facts.notBeforeMs, facts.notAfterMs, nowMs),
    subject: facts.subject,
    issuer: facts.issuer,
    sans: [...facts.sans],
    not_before: facts.not_before,
    not_after: facts.not_after,
    key_type: facts.key_type,
    key_bits: facts.key_bits,
    chain_len: sent.length + 1,
    covers: (name) => certCovers(leaf, name),
  };
}

/** What a certificate's own bytes say: the same for every connection that presents it. */
interface LeafFacts {
  sha256: string;
  subject: string;
  issuer: string;
  sans: readonly string[];
  not_before: string;
  not_after: string;
  notBeforeMs: number;
  notAfterMs: number;
  key_type: string | null;
  key_bits: number | null;
}

/**
 * Leaf facts by SHA-256 fingerprint. Mail hosting serves one certificate from
 * many addresses, and reading the names, dates and key of a certificate costs
 * most of what these facts cost (strings and a key object from OpenSSL on
 * every call); the fingerprint itself is read on every probe, and the
 * status, validity at probe time and chain length are judged per connection.
 * Bounded: emptied when full, a few MB at most.
 */
const LEAF_CACHE_MAX = 4096;
const leafCache = new Map<string, LeafFacts>();

function leafFacts(leaf: X509Certificate): LeafFacts {
  const fingerprint = leaf.fingerprint256;
  const cached = leafCache.get(fingerprint);
  if (cached !== undefined) return cached;
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  const facts: LeafFacts = {
    sha256: fingerprint.replaceAll(':', '').toLowerCase(),
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    sans: parseSubjectAltName(leaf.subjectAltName),
    not_before: toIsoDate(notBefore, leaf.validFrom),
    not_after: toIsoDate(notAfter, leaf.validTo),
    notBeforeMs: notBefore.getTime(),
    notAfterMs: notAfter.getTime(),
    ...keyFacts(leaf),
  };
  if (leafCache.size >= LEAF_CACHE_MAX) leafCache.clear();
  leafCache.set(fingerprint, facts);
  return facts;
}

/**
 * The certificates the server sent after its leaf, in the order sent (a
 * server that also sends its root has it here; our trust store's anchor is
 * never here).
 */
function issuersSent(leaf: X509Certificate): X509Certificate[] {
  const sent: X509Certificate[] = [];
  let cert = leaf.issuerCertificate;
  while (cert !== undefined && sent.length < MAX_SENT - 1) {
    sent.push(cert);
    cert = cert.issuerCertificate;
  }
  return sent;
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

function toIsoDate(date: Date, openSslDate: string): string {
  return Number.isNaN(date.getTime()) ? openSslDate : date.toISOString();
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
