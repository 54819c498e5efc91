/**
 * DANE for SMTP (RFC 7672, with RFC 6698 and RFC 7671): which TLSA records
 * an SMTP client may use, and whether the chain a server presented matches
 * one of them. Pure computation over DER bytes with Node's crypto.
 *
 * - Usage 3, DANE-EE: the leaf itself matches; its names and dates are not
 *   checked (RFC 7672 §3.1.1).
 * - Usage 2, DANE-TA: a certificate the server sent matches, the chain from
 *   the leaf up to it verifies signature by signature, the leaf covers the
 *   MX host name (§3.2.2, §3.2.3), and every certificate on that path is
 *   within its dates (§3.1.2). The server must send the trust anchor itself
 *   (§3.2.1): a digest of a certificate it did not send matches nothing.
 * - Usages 0 and 1 (PKIX) are not for SMTP (§3.1.3), nor are selectors and
 *   matching types beyond 0–1 and 0–2: such records are unusable.
 */
import { createHash, X509Certificate } from 'node:crypto';

export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: Buffer;
}

const DIGEST_LENGTH: Record<number, number | undefined> = { 1: 32, 2: 64 };

/** `3 1 1 9f2a…`: the presentation form (RFC 6698 §2.2), for the record and the transcript of a verdict. */
export function formatTlsa(r: TlsaRecord): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString('hex')}`;
}

/** Usable by an SMTP client: DANE-TA or DANE-EE, a known selector and matching type, a digest of its length. */
export function isUsableForSmtp(r: TlsaRecord): boolean {
  if (r.usage !== 2 && r.usage !== 3) return false;
  if (r.selector !== 0 && r.selector !== 1) return false;
  if (r.matchingType === 0) return r.data.length > 0;
  return DIGEST_LENGTH[r.matchingType] === r.data.length;
}

export type DaneMatch =
  | { matched: true; record: TlsaRecord; depth: number }
  /** Why no record matched, one reason per record tried. */
  | { matched: false; reasons: string[] };

/**
 * Match `chain` (DER, leaf first, in the order the server sent it) against
 * the usable records, for the MX host `mxHost`, at time `nowMs`.
 */
export function matchDane(
  records: readonly TlsaRecord[],
  chain: readonly Buffer[],
  mxHost: string,
  nowMs: number,
): DaneMatch {
  const certs = parseChain(chain);
  if (certs.length === 0) return { matched: false, reasons: ['no certificate presented'] };
  const reasons: string[] = [];
  for (const record of records.filter(isUsableForSmtp)) {
    if (record.usage === 3) {
      if (matches(record, certs[0] as X509Certificate)) return { matched: true, record, depth: 0 };
      reasons.push(`${short(record)}: the leaf does not match`);
      continue;
    }
    const depth = certs.findIndex((c) => matches(record, c));
    if (depth < 0) {
      reasons.push(`${short(record)}: no certificate sent matches`);
      continue;
    }
    const problem = taPathProblem(certs.slice(0, depth + 1), mxHost, nowMs);
    if (problem === null) return { matched: true, record, depth };
    reasons.push(`${short(record)}: ${problem}`);
  }
  return { matched: false, reasons };
}

function parseChain(chain: readonly Buffer[]): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const der of chain) {
    try {
      certs.push(new X509Certificate(der));
    } catch {
      // A certificate OpenSSL accepted in the handshake but X509Certificate cannot read again: stop here,
      // the path above it cannot be walked.
      break;
    }
  }
  return certs;
}

function matches(record: TlsaRecord, cert: X509Certificate): boolean {
  let selected: Buffer;
  try {
    selected = record.selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return false;
  }
  switch (record.matchingType) {
    case 0:
      return selected.equals(record.data);
    case 1:
      return createHash('sha256').update(selected).digest().equals(record.data);
    case 2:
      return createHash('sha512').update(selected).digest().equals(record.data);
    default:
      return false;
  }
}

/** Null when the path leaf → … → anchor holds for DANE-TA; else what breaks it. */
function taPathProblem(path: readonly X509Certificate[], mxHost: string, nowMs: number): string | null {
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i] as X509Certificate;
    const parent = path[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !verifies(child, parent)) {
      return `certificate ${i} is not signed by certificate ${i + 1} of the chain`;
    }
  }
  for (const [i, cert] of path.entries()) {
    if (Date.parse(cert.validFrom) > nowMs) return `certificate ${i} is not yet valid`;
    if (Date.parse(cert.validTo) < nowMs) return `certificate ${i} has expired`;
  }
  const leaf = path[0] as X509Certificate;
  if (leaf.checkHost(mxHost) === undefined) return `the leaf does not cover ${mxHost}`;
  return null;
}

function verifies(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

function short(record: TlsaRecord): string {
  const hex = record.data.toString('hex');
  return `${record.usage} ${record.selector} ${record.matchingType} ${hex.length > 16 ? `${hex.slice(0, 16)}...` : hex}`;
}
