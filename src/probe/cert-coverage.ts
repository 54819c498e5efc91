/**
 * Does a certificate cover a name: OpenSSL's X509_check_host / X509_check_ip
 * through Node's X509Certificate, not a matcher of our own.
 *
 * Host names follow RFC 6125 §6.4: DNS SANs, the subject CN only when the
 * certificate has no DNS SAN, a `*` only as the whole leftmost label and
 * covering exactly one label (`*.example.com` covers `mx.example.com`, not
 * `example.com` or `a.mx.example.com`), and never directly under a top-level
 * label (`*.com`). Partial wildcards (`mx*.example.com`), which RFC 6125 left
 * to the client, are refused, as RFC 9525 (its successor) and the CA/Browser
 * Forum require. IP literals match IP SANs only, never a CN (RFC 6125 §1.7.2).
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeHostName } from '../dns-name.js';

const HOST_CHECK = {
  subject: 'default',
  wildcards: true,
  partialWildcards: false,
  multiLabelWildcards: false,
} as const;

export function certCovers(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
  return cert.checkHost(normalizeHostName(name), HOST_CHECK) !== undefined;
}
