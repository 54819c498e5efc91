/**
 * Walks one sim host the way a STARTTLS scanner would (banner, EHLO, HELO
 * fallback, forced STARTTLS, handshake, inner EHLO) and reports the wire
 * facts that map one-to-one onto record fields. Classification is not done
 * here: that is the probe's job; this checks that the sim does what its
 * manifest promises.
 */
import type { TLSSocket } from 'node:tls';
import type { ExpectedRecord } from '../../src/sim/index.js';
import { RawSmtpClient } from './raw-smtp-client.js';

export type WireFacts = Pick<
  ExpectedRecord,
  | 'banner_code'
  | 'ehlo_code'
  | 'helo_fallback'
  | 'starttls_advertised'
  | 'starttls_sent'
  | 'starttls_code'
  | 'tls_version'
  | 'cert_sha256'
  | 'cert_status'
  | 'cert_key_type'
  | 'cert_key_bits'
  | 'post_tls_ehlo_code'
>;

export const WIRE_FIELDS = [
  'banner_code',
  'ehlo_code',
  'helo_fallback',
  'starttls_advertised',
  'starttls_sent',
  'starttls_code',
  'tls_version',
  'cert_sha256',
  'cert_status',
  'cert_key_type',
  'cert_key_bits',
  'post_tls_ehlo_code',
] as const;

const MAX_LINES = 200;

export async function walk(ip: string, port: number, opts: { implicit: boolean; ca: string }): Promise<WireFacts> {
  const facts: WireFacts = {
    tls_version: null,
    cert_sha256: null,
    cert_status: null,
    cert_key_type: null,
    cert_key_bits: null,
    post_tls_ehlo_code: null,
    helo_fallback: false,
    starttls_sent: false,
    starttls_code: null,
    banner_code: null,
    ehlo_code: null,
  };
  let client: RawSmtpClient;
  try {
    client = await RawSmtpClient.open(ip, port, { implicitTls: opts.implicit, ca: opts.ca });
  } catch {
    return facts;
  }
  try {
    if (client.tlsSocket !== null) Object.assign(facts, tlsFacts(client.tlsSocket));
    const banner = await client.readReply(2500).catch(() => null);
    if (banner === null || !/^\d{3}/.test(banner.lines[0] ?? '')) {
      facts.banner_code = null;
      return facts;
    }
    facts.banner_code = banner.code;
    if (banner.code >= 300) return facts;
    // Whatever came with the banner is unsolicited: drop it, as the probe does.
    await new Promise((r) => setTimeout(r, 30));
    client.discardUnread();

    client.send('EHLO scanner.stripscan.test');
    const ehlo = await client.readReply();
    if (ehlo.lines.length > MAX_LINES) return facts;
    let greeting = ehlo;
    if (ehlo.code !== 250) {
      facts.helo_fallback = true;
      client.send('HELO scanner.stripscan.test');
      greeting = await client.readReply();
      if (greeting.code !== 250) return facts;
    }
    facts.ehlo_code = greeting.code;
    facts.starttls_advertised = greeting.lines.slice(1).some((l) => /^STARTTLS$/i.test(l.slice(4).split(' ')[0] ?? ''));
    if (opts.implicit) return facts;

    client.send('STARTTLS');
    facts.starttls_sent = true;
    // A server may never answer (the stall persona): no code, and nothing more to walk.
    const reply = await client.readReply().catch(() => null);
    facts.starttls_code = reply?.code ?? null;
    if (reply?.code !== 220) return facts;
    const secure = await client.startTls(opts.ca).catch(() => null);
    if (secure === null) return facts;
    Object.assign(facts, tlsFacts(secure));
    client.send('EHLO scanner.stripscan.test');
    const inner = await client.readReply().catch(() => null);
    facts.post_tls_ehlo_code = inner?.code ?? null;
    return facts;
  } finally {
    client.destroy();
  }
}

function tlsFacts(socket: TLSSocket): WireFacts {
  const cert = socket.getPeerCertificate();
  const code = (socket.authorizationError as unknown as string | null | undefined) ?? '';
  // RFC 5280: trust first. A leaf that issued itself has no path to an anchor, whatever OpenSSL reported last.
  const leaf = socket.getPeerX509Certificate();
  const selfIssued = leaf !== undefined && leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
  const status = socket.authorized
    ? 'valid'
    : selfIssued
      ? 'self-signed'
      : code === 'CERT_HAS_EXPIRED'
        ? 'expired'
        : code === 'CERT_NOT_YET_VALID'
          ? 'not-yet-valid'
          : code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
            ? 'self-signed'
            : 'untrusted';
  const ec = 'asn1Curve' in cert || 'nistCurve' in cert;
  return {
    tls_version: socket.getProtocol(),
    cert_sha256: cert.fingerprint256.replaceAll(':', '').toLowerCase(),
    cert_status: status,
    cert_key_type: ec ? 'ec' : 'rsa',
    cert_key_bits: ec ? 256 : ((cert as { bits?: number }).bits ?? null),
  };
}
