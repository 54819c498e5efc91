/**
 * What counts as a host name: shared by the banner's host (src/probe/smtp/cert-name.ts)
 * and the names a targets file carries (src/targets/named-targets.ts), so that a name
 * the probe would hold a certificate to is a name a target line may carry, and back.
 */

/** One label: letters, digits, hyphens inside, at most 63 characters; `_` is tolerated, as DNS allows it. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower case, without the root's trailing dot: the form certificates are compared in and SNI carries. */
export function normalizeHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * A DNS name of at least two labels whose top label is not all digits (so an
 * IPv4 literal is never a host name). One-label names (`localhost`, `mail`)
 * are refused: no public certificate can name them, and a banner's first word
 * of that shape is rarely a host.
 */
export function isHostName(text: string): boolean {
  const name = normalizeHostName(text);
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}
