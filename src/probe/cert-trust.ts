/**
 * cert_status when OpenSSL refused the chain: trust first, dates second
 * (docs/classification.md, "Certificate status").
 *
 * OpenSSL keeps only the last error of its verification, so an expired
 * self-signed certificate reaches us as "expired", which does not even say
 * whether the chain was trusted. Here the chain is judged again, in the
 * order the record needs: a self-issued leaf that is not itself an anchor is
 * `self-signed`; no path from the leaf through the certificates the server
 * sent to a trust anchor is `untrusted`; only on a path that ends at an
 * anchor do dates count (`expired`, `not-yet-valid`: any certificate on the
 * path outside its window). A trusted path with good dates that OpenSSL
 * still refused (a path length, a key usage, …) stays `untrusted`.
 *
 * Issuers are preferred among the anchors, then among the certificates sent
 * (OpenSSL's "trusted first"), and a path is at most MAX_PATH long.
 */
import type { X509Certificate } from 'node:crypto';
import type { CertStatus, CertValidity } from '../record.js';
import { nameKey, publicKeyOf, type TrustAnchors } from './trust-anchors.js';

/** OpenSSL's default verify depth is 100; real chains are 2–4 long. */
const MAX_PATH = 10;

/** Where `cert`'s validity window stands at `nowMs`; null when its dates cannot be read. */
export function validityAt(cert: X509Certificate, nowMs: number): CertValidity | null {
  return validityOf(Date.parse(cert.validFrom), Date.parse(cert.validTo), nowMs);
}

export function validityOf(notBeforeMs: number, notAfterMs: number, nowMs: number): CertValidity | null {
  if (Number.isNaN(notBeforeMs) || Number.isNaN(notAfterMs)) return null;
  if (nowMs < notBeforeMs) return 'not-yet-valid';
  if (nowMs > notAfterMs) return 'expired';
  return 'current';
}

/** RFC 5280 §3.3: subject and issuer are the same name. (checkIssued would also demand keyCertSign.) */
function isSelfIssued(cert: X509Certificate): boolean {
  return nameKey(cert.subject) === nameKey(cert.issuer);
}

/** Did `issuer` issue `cert`: names and key identifiers agree (OpenSSL's check) and the signature verifies. */
function issued(issuer: X509Certificate, key: ReturnType<typeof publicKeyOf>, cert: X509Certificate): boolean {
  // x509.checkIssued(other): was x509 issued by other.
  if (key === null || !cert.checkIssued(issuer)) return false;
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

/**
 * Can names alone lead from `leaf` to an anchor's subject? Signatures cost
 * about 60 µs each to verify (ECDSA P-256), names nothing: a chain whose
 * issuer names lead nowhere we trust (a private CA sent along, the common
 * refused chain) is untrusted without verifying a signature.
 */
function namesReachAnchor(leaf: X509Certificate, sent: readonly X509Certificate[], anchors: TrustAnchors): boolean {
  const unused = [...sent];
  let cert = leaf;
  for (let length = 1; length <= MAX_PATH; length++) {
    if (anchors.has(cert) || anchors.issuersOf(cert).length > 0) return true;
    const issuerName = nameKey(cert.issuer);
    const next = unused.findIndex((c) => c.ca && nameKey(c.subject) === issuerName);
    if (next < 0) return false;
    cert = unused[next] as X509Certificate;
    unused.splice(next, 1);
  }
  return false;
}

/** The path from `leaf` to a trust anchor (both included), or null when there is none. */
export function trustedPath(
  leaf: X509Certificate,
  sent: readonly X509Certificate[],
  anchors: TrustAnchors,
): X509Certificate[] | null {
  const path = [leaf];
  const unused = [...sent];
  let cert = leaf;
  while (path.length <= MAX_PATH) {
    if (anchors.has(cert)) return path;
    const anchor = anchors.issuersOf(cert).find((a) => issued(a.cert, a.key, cert));
    if (anchor !== undefined) {
      path.push(anchor.cert);
      return path;
    }
    const issuerName = nameKey(cert.issuer);
    const current = cert;
    const next = unused.findIndex(
      (c) => c.ca && nameKey(c.subject) === issuerName && issued(c, publicKeyOf(c), current),
    );
    if (next < 0) return null;
    cert = unused[next] as X509Certificate;
    unused.splice(next, 1);
    path.push(cert);
  }
  return null;
}

/** cert_status of a chain OpenSSL did not authorize (an authorized one is `valid` without this work). */
export function judgeRefusedChain(
  leaf: X509Certificate,
  sent: readonly X509Certificate[],
  anchors: TrustAnchors,
  nowMs: number,
): CertStatus {
  if (isSelfIssued(leaf) && !anchors.has(leaf)) return 'self-signed';
  const path = namesReachAnchor(leaf, sent, anchors) ? trustedPath(leaf, sent, anchors) : null;
  if (path === null) return 'untrusted';
  for (const cert of path) {
    const validity = validityAt(cert, nowMs);
    if (validity === 'expired' || validity === 'not-yet-valid') return validity;
  }
  return 'untrusted';
}
