/**
 * One server TLS context per profile, built once when the fleet starts: a
 * context parses keys and certificates, so per-connection contexts would
 * dominate the cost of a handshake.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SimCertificates } from './certificates.js';
import { certVariantOf } from './expectations.js';
import type { TlsProfile } from './persona.js';

export type TlsContexts = ReadonlyMap<TlsProfile, SecureContext>;

const PROFILES: readonly TlsProfile[] = [
  'ecdsa',
  'rsa',
  'expired',
  'not-yet-valid',
  'self-signed',
  'expired-self-signed',
  'wrong-name',
  'ecdsa-tls10',
];

export function createTlsContexts(certs: SimCertificates): TlsContexts {
  const contexts = new Map<TlsProfile, SecureContext>();
  for (const profile of PROFILES) {
    const cert = certs.variants[certVariantOf(profile)];
    const legacy = profile === 'ecdsa-tls10';
    contexts.set(
      profile,
      createSecureContext({
        key: cert.keyPem,
        cert: cert.certPem,
        // OpenSSL 3 refuses TLS 1.0 at its default security level; level 0 brings it back for this profile only.
        minVersion: legacy ? 'TLSv1' : 'TLSv1.2',
        maxVersion: legacy ? 'TLSv1' : 'TLSv1.3',
        ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      }),
    );
  }
  return contexts;
}
