/**
 * The record fields a persona determines, for one scanner configuration.
 * TLS and certificate facts come from the certificates this fleet generated,
 * so a scanner's cert_sha256 can be compared exactly.
 */
import type { CertStatus, CertValidity } from '../record.js';
import type { CertVariant, SimCertificates } from './certificates.js';
import type { ExpectedRecord, Persona, TlsProfile } from './persona.js';

export interface ScannerSettings {
  /** Port-465 style: TLS from the first byte. */
  implicitTls: boolean;
  /** STARTTLS sent even when not advertised (default true). */
  forceStartTls: boolean;
}

/**
 * Status as seen by a scanner that trusts the fleet's CA (`--ca-file`); without it, `valid` reads `untrusted`.
 * RFC 5280 §6 path validation judges trust first: a self-signed leaf has no path to an anchor whatever its
 * dates, and only a certificate with a trusted path can be expired or not yet valid. The name is not part of
 * it (a scanner dials addresses): wrong-name is a valid chain.
 */
const STATUS: Record<CertVariant, CertStatus> = {
  ecdsa: 'valid',
  rsa: 'valid',
  'wrong-name': 'valid',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
  'self-signed': 'self-signed',
  'expired-self-signed': 'self-signed',
};

/** The leaf's own validity window at probe time (RFC 5280 §4.1.2.5), whatever its trust. */
const VALIDITY: Record<CertVariant, CertValidity> = {
  ecdsa: 'current',
  rsa: 'current',
  'wrong-name': 'current',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
  'self-signed': 'current',
  'expired-self-signed': 'expired',
};

export function certVariantOf(profile: TlsProfile): CertVariant {
  return profile === 'ecdsa-tls10' ? 'ecdsa' : profile;
}

/** Node's name for the version the profile ends up with against a client allowing TLS 1.0–1.3. */
export function tlsVersionOf(profile: TlsProfile): string {
  return profile === 'ecdsa-tls10' ? 'TLSv1' : 'TLSv1.3';
}

export function expectedRecord(persona: Persona, certs: SimCertificates, settings: ScannerSettings): ExpectedRecord {
  const { expect, server } = persona;
  if (settings.implicitTls) {
    if (expect.implicit === null) {
      // Not served on the implicit port: closed before any handshake.
      return { outcome: 'tls-failed', fingerprints: [], error_stage: 'tls', implicit_tls: true, ...noTls() };
    }
    const handshake = server.afterStartTls === 'handshake';
    return { ...(handshake ? tlsFacts(server.tls, certs) : noTls()), ...expect.implicit };
  }
  const unforced = settings.forceStartTls ? {} : (expect.unforced ?? {});
  const handshake = settings.forceStartTls ? expect.handshake : (expect.unforcedHandshake ?? expect.handshake);
  const tls = handshake ? tlsFacts(server.tls, certs) : noTls();
  return { ...tls, ...expect.fields, ...unforced };
}

function tlsFacts(profile: TlsProfile, certs: SimCertificates): ExpectedRecord {
  const variant = certVariantOf(profile);
  const cert = certs.variants[variant];
  return {
    tls_version: tlsVersionOf(profile),
    cert_status: STATUS[variant],
    cert_validity: VALIDITY[variant],
    cert_sha256: cert.sha256,
    cert_sans: [...cert.sans],
    cert_not_before: cert.notBefore.toISOString(),
    cert_not_after: cert.notAfter.toISOString(),
    cert_key_type: cert.keyType,
    cert_key_bits: cert.keyBits,
  };
}

function noTls(): ExpectedRecord {
  return {
    tls_version: null,
    cert_sha256: null,
    cert_status: null,
    cert_validity: null,
    cert_sans: [],
    cert_not_before: null,
    cert_not_after: null,
    cert_key_type: null,
    cert_key_bits: null,
    cert_name_matches_banner: null,
    post_tls_ehlo_code: null,
  };
}
