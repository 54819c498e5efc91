/**
 * Which names the certificate is held to, and the answers for the record.
 *
 * RFC 5321 §4.3.1: the greeting's first word is the server's domain
 * (`220 mail.example.com ESMTP …`). A scanner connects by IP, so without a
 * name from the target line this is the only name we can hold the
 * certificate to. Whether a certificate covers a name is the certificate's
 * own answer (CertFacts.covers: OpenSSL's RFC 6125 matching, see
 * src/probe/cert-coverage.ts); this file stays pure.
 */
import { isHostName, normalizeHostName } from '../../dns-name.js';
import type { CertFacts } from './events.js';

/** The host name the banner's first line announces, lower-cased, or null when it does not announce one. */
export function bannerHostName(bannerTexts: readonly string[]): string | null {
  const word = (bannerTexts[0] ?? '').split(' ', 1)[0] ?? '';
  return isHostName(word) ? normalizeHostName(word) : null;
}

/** true/false when there is a certificate and the banner names a host; null otherwise. */
export function certNameMatchesBanner(cert: CertFacts | null, bannerTexts: readonly string[]): boolean | null {
  const host = bannerHostName(bannerTexts);
  if (cert === null || host === null) return null;
  return cert.covers(host);
}

/** true/false when there is a certificate and the target carried a name; null otherwise. */
export function certNameMatchesServerName(cert: CertFacts | null, serverName: string | undefined): boolean | null {
  if (cert === null || serverName === undefined) return null;
  return cert.covers(serverName);
}
