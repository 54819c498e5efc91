import { describe, expect, it } from 'vitest';
import type { CertFacts } from '../../../src/probe/smtp/index.js';
import { certNameMatchesBanner } from '../../../src/probe/smtp/index.js';
import { bannerHostName, certNameMatchesServerName } from '../../../src/probe/smtp/cert-name.js';
import { replay } from './replay.js';
import { EHLO, POSTFIX_BANNER, POSTFIX_EHLO, POST_TLS_EHLO, TLS13 } from './sessions.js';

/** A certificate that covers exactly `names`; what covering means is OpenSSL's business (test/probe/cert-names.test.ts). */
const coveringOnly = (...names: string[]): CertFacts => ({ ...TLS13.cert!, covers: (name) => names.includes(name) });

describe('banner host name', () => {
  it.each([
    ['mail.example.com ESMTP Postfix', 'mail.example.com'],
    ['MX.Example.COM. ESMTP', 'mx.example.com'],
    ['***********************', null],
    ['192.0.2.25 ESMTP', null],
    ['[192.0.2.25] ESMTP', null],
    ['localhost ESMTP', null],
    ['ESMTP ready', null],
    ['', null],
  ])('%s → %s', (text, host) => expect(bannerHostName([text])).toBe(host));
});

describe('certNameMatchesBanner', () => {
  it('asks the certificate about the banner host, lower-cased and without its final dot', () => {
    const asked: string[] = [];
    const cert: CertFacts = { ...TLS13.cert!, covers: (name) => (asked.push(name), name === 'mx.example.com') };
    expect(certNameMatchesBanner(cert, ['MX.Example.com. ESMTP'])).toBe(true);
    expect(certNameMatchesBanner(cert, ['other.example.com ESMTP'])).toBe(false);
    expect(asked).toEqual(['mx.example.com', 'other.example.com']);
  });
  it('is null without a certificate or without a host name in the banner', () => {
    expect(certNameMatchesBanner(null, ['mx.example.com ESMTP'])).toBeNull();
    expect(certNameMatchesBanner(coveringOnly('mx.example.com'), ['****************'])).toBeNull();
  });
});

describe('certNameMatchesServerName', () => {
  it('asks the certificate about the target name; null without a certificate or a name', () => {
    expect(certNameMatchesServerName(coveringOnly('mx.example.com'), 'mx.example.com')).toBe(true);
    expect(certNameMatchesServerName(coveringOnly('mx.example.com'), 'other.example.com')).toBe(false);
    expect(certNameMatchesServerName(null, 'mx.example.com')).toBeNull();
    expect(certNameMatchesServerName(coveringOnly('mx.example.com'), undefined)).toBeNull();
  });
});

describe('the machine fills server_name, cert_name_matches and cert_validity', () => {
  const session = (serverName?: string, cert: CertFacts | null = TLS13.cert) => ({
    ...(serverName === undefined ? {} : { options: { serverName } }),
    steps: [
      { on: 'connect' as const, server: POSTFIX_BANNER },
      { on: 'EHLO' as const, server: POSTFIX_EHLO },
      { on: 'STARTTLS' as const, server: '220 2.0.0 Ready to start TLS\r\n' },
      { on: 'start-tls' as const, event: { type: 'tls-established' as const, tls: { ...TLS13, cert } } },
      { on: 'EHLO' as const, server: POST_TLS_EHLO },
    ],
  });

  it('holds the certificate to the target name, apart from the banner host', () => {
    const named = replay(session('other.example.com')).result;
    expect(named).toMatchObject({
      outcome: 'tls-ok',
      server_name: 'other.example.com',
      cert_name_matches: false,
      cert_name_matches_banner: true,
      cert_validity: 'current',
    });
    expect(replay(session('mail.example.com')).result).toMatchObject({ cert_name_matches: true });
    // EHLO still carries the scanner's own name, never the target's.
    expect(replay(session('mail.example.com')).sent[0]).toBe(EHLO);
  });

  it('leaves them null without a name, and the name-dependent ones without a certificate', () => {
    expect(replay(session()).result).toMatchObject({ server_name: null, cert_name_matches: null });
    expect(replay(session('mail.example.com', null)).result).toMatchObject({
      server_name: 'mail.example.com',
      cert_name_matches: null,
      cert_validity: null,
      cert_name_matches_banner: null,
    });
  });
});
