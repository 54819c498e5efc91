/**
 * Does the certificate cover the host name the banner announces?
 *
 * RFC 5321 §4.3.1: the greeting's first word is the server's domain
 * (`220 mail.example.com ESMTP …`). A scanner connects by IP, so this is the
 * only name we can hold the certificate to. Matching follows RFC 6125:
 * DNS SANs first, the subject CN only when there are none, a wildcard covers
 * exactly one leftmost label.
 */
import type { CertFacts } from './events.js';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A DNS name with at least two labels and a non-numeric top label (so IPv4 literals are not names). */
export function isPlausibleHostName(word: string): boolean {
  const name = word.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}

function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}

/** The host name the banner's first line announces, lower-cased, or null when it does not announce one. */
export function bannerHostName(bannerTexts: readonly string[]): string | null {
  const word = (bannerTexts[0] ?? '').split(' ', 1)[0] ?? '';
  return isPlausibleHostName(word) ? word.toLowerCase().replace(/\.$/, '') : null;
}

function subjectCommonName(subject: string): string | null {
  // cert-facts.ts renders the subject as `CN=…, O=…`; other renderings separate with newlines or slashes.
  const match = /(?:^|[,\n/]\s*)CN=([^,\n/]+)/.exec(subject);
  return match?.[1]?.trim() ?? null;
}

export function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p === host) return true;
  if (!p.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === p.slice(2) && p.slice(2).includes('.');
}

/** true/false when there is a certificate and the banner names a host; null otherwise. */
export function certNameMatchesBanner(cert: CertFacts | null, bannerTexts: readonly string[]): boolean | null {
  const host = bannerHostName(bannerTexts);
  if (cert === null || host === null) return null;
  const dnsNames = cert.sans.filter((san) => !isIpLiteral(san));
  const names = dnsNames.length > 0 ? dnsNames : [subjectCommonName(cert.subject)].filter((n) => n !== null);
  return names.some((name) => nameMatches(name, host));
}
