/**
 * The one TLS client context every probe reuses, and the trust anchors
 * cert_status judges refused chains against (trust-anchors.ts). Both come
 * from the same inputs, the system roots plus `--ca-file`, read once here, so
 * OpenSSL's verdict and our own cannot disagree about what is trusted.
 * Building a context loads the trust store and parses every root
 * certificate, which costs milliseconds: once per process, never per
 * connection.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { UsageError } from '../errors.js';
import { TrustAnchors } from './trust-anchors.js';

export interface TlsContextOptions {
  /** Extra trust anchors (PEM) on top of the system roots: `--ca-file`. */
  caFile?: string;
}

export interface ProbeTlsContext {
  /** OpenSSL's client context: the handshake, and its verdict on the chain (`socket.authorized`). */
  secureContext: SecureContext;
  /** The same anchors, for saying why a chain OpenSSL refused is not `valid`. */
  trustAnchors: TrustAnchors;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

export function createProbeTlsContext(opts: TlsContextOptions = {}): ProbeTlsContext {
  const ca = [...rootCertificates];
  const extra: X509Certificate[] = [];
  if (opts.caFile !== undefined) {
    const pem = readCaFile(opts.caFile);
    extra.push(...parseCaBundle(opts.caFile, pem));
    ca.push(pem);
  }
  const secureContext = createSecureContext({
    ca,
    // Observe, never refuse: OpenSSL 3's default security level 1 (and Node's
    // default minimum of TLS 1.2) would fail TLS 1.0/1.1 servers and weak keys
    // before we could record what they offer. Level 0 lets every version and
    // cipher the server picks through; what was negotiated is recorded.
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: 'ALL:@SECLEVEL=0',
  });
  return { secureContext, trustAnchors: new TrustAnchors(extra) };
}

/**
 * The SNI to send for a target's name: the name itself, or nothing for a
 * target without one or named by an IP literal (RFC 6066 §3: "Literal IPv4
 * and IPv6 addresses are not permitted in HostName").
 */
export function serverNameIndication(name: string | undefined): string {
  return name === undefined || isIP(name) !== 0 ? '' : name;
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--ca-file ${JSON.stringify(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: err,
      },
    );
  }
  return pem;
}

/** Every certificate of the bundle, each checked: a block OpenSSL cannot read is named, not skipped. */
function parseCaBundle(file: string, pem: string): X509Certificate[] {
  const certs = Array.from(pem.matchAll(PEM_CERTIFICATE), (match, i) => {
    try {
      return new X509Certificate(match[0]);
    } catch (err) {
      throw new UsageError(
        `--ca-file ${JSON.stringify(file)}: certificate ${i + 1} cannot be read (${(err as Error).message})`,
        { cause: err },
      );
    }
  });
  if (certs.length === 0) throw new UsageError(`--ca-file ${JSON.stringify(file)}: no PEM certificate in it`);
  return certs;
}
