/**
 * The trust anchors cert_status judges a chain against when OpenSSL refused
 * it (cert-trust.ts): the roots Node ships (`tls.rootCertificates`, the same
 * list the probe's TLS context trusts) plus the `--ca-file` bundle.
 *
 * Parsing the 140-odd system roots costs about 30 ms, so it happens once per
 * process and only when a chain first needs judging: a scan of good
 * certificates (OpenSSL's own verdict, the fast path) never pays it. The
 * index maps a subject name to the anchors bearing it, so finding the issuer
 * of a certificate is one lookup, not a walk over every root.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { rootCertificates } from 'node:tls';

export interface TrustAnchor {
  cert: X509Certificate;
  /** null when OpenSSL cannot load the key: such an anchor can issue nothing we can check. */
  key: KeyObject | null;
}

interface AnchorIndex {
  fingerprints: ReadonlySet<string>;
  bySubject: ReadonlyMap<string, readonly TrustAnchor[]>;
}

const NONE: readonly TrustAnchor[] = [];

/**
 * The lookup key of a distinguished name as Node renders it. OpenSSL compares
 * names in a canonical form (case and spaces folded); folding the rendered
 * text the same way keeps a match from being missed, and checkIssued then
 * does the exact comparison.
 */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ');
}

export function publicKeyOf(cert: X509Certificate): KeyObject | null {
  try {
    return cert.publicKey;
  } catch {
    return null;
  }
}

let systemRoots: readonly X509Certificate[] | null = null;

function parsedSystemRoots(): readonly X509Certificate[] {
  systemRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return systemRoots;
}

export class TrustAnchors {
  private index: AnchorIndex | null = null;

  /** `extra`: the --ca-file certificates, already parsed (tls-context.ts reads the file once for both uses). */
  constructor(private readonly extra: readonly X509Certificate[]) {}

  /** Is this very certificate (same DER) a trust anchor? */
  has(cert: X509Certificate): boolean {
    return this.built().fingerprints.has(cert.fingerprint256);
  }

  /** Anchors whose subject is `cert`'s issuer name: the only ones that can have issued it. */
  issuersOf(cert: X509Certificate): readonly TrustAnchor[] {
    return this.built().bySubject.get(nameKey(cert.issuer)) ?? NONE;
  }

  private built(): AnchorIndex {
    if (this.index !== null) return this.index;
    const fingerprints = new Set<string>();
    const bySubject = new Map<string, TrustAnchor[]>();
    for (const cert of [...parsedSystemRoots(), ...this.extra]) {
      if (fingerprints.has(cert.fingerprint256)) continue;
      fingerprints.add(cert.fingerprint256);
      const key = nameKey(cert.subject);
      const anchors = bySubject.get(key) ?? [];
      anchors.push({ cert, key: publicKeyOf(cert) });
      bySubject.set(key, anchors);
    }
    this.index = { fingerprints, bySubject };
    return this.index;
  }
}
