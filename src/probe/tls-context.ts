/**
 * The one TLS client context every probe reuses. Building a context loads the
 * trust store and parses every root certificate, which costs milliseconds:
 * once per process, never per connection.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { UsageError } from '../errors.js';

export interface TlsContextOptions {
  /** Extra trust anchors (PEM) on top of the system roots: `--ca-file`. */
  caFile?: string;
}

export function createProbeTlsContext(opts: TlsContextOptions = {}): SecureContext {
  const ca = [...rootCertificates];
  if (opts.caFile !== undefined) ca.push(readCaFile(opts.caFile));
  return createSecureContext({
    ca,
    // Observe, never refuse: OpenSSL 3's default security level 1 (and Node's
    // default minimum of TLS 1.2) would fail TLS 1.0/1.1 servers and weak keys
    // before we could record what they offer. Level 0 lets every version and
    // cipher the server picks through; what was negotiated is recorded.
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: 'ALL:@SECLEVEL=0',
  });
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
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`--ca-file ${JSON.stringify(file)}: no PEM certificate in it`);
  }
  return pem;
}
