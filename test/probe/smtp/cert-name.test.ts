import { describe, expect, it } from 'vitest';
import { certNameMatchesBanner } from '../../../src/probe/smtp/index.js';
import { bannerHostName, nameMatches } from '../../../src/probe/smtp/cert-name.js';
import { TLS13 } from './sessions.js';

const cert = (sans: string[], subject = 'CN=cn.example.com') => ({ ...TLS13.cert!, sans, subject });

describe('banner host name', () => {
  it.each([
    ['mail.example.com ESMTP Postfix', 'mail.example.com'],
    ['MX.Example.COM. ESMTP', 'mx.example.com'],
    ['***********************', null],
    ['192.0.2.25 ESMTP', null],
    ['localhost ESMTP', null],
    ['ESMTP ready', null],
    ['', null],
  ])('%s → %s', (text, host) => expect(bannerHostName([text])).toBe(host));
});

describe('wildcards cover one label', () => {
  it('matches', () => {
    expect(nameMatches('*.example.com', 'mx.example.com')).toBe(true);
    expect(nameMatches('MX.example.com', 'mx.example.com')).toBe(true);
  });
  it('does not match', () => {
    expect(nameMatches('*.example.com', 'example.com')).toBe(false);
    expect(nameMatches('*.example.com', 'a.mx.example.com')).toBe(false);
    expect(nameMatches('*.com', 'example.com')).toBe(false);
    expect(nameMatches('mx*.example.com', 'mx1.example.com')).toBe(false);
  });
});

describe('certNameMatchesBanner', () => {
  const banner = ['mx.example.com ESMTP'];
  it('checks DNS SANs, ignoring IP SANs', () => {
    expect(certNameMatchesBanner(cert(['a.example.org', '*.example.com']), banner)).toBe(true);
    expect(certNameMatchesBanner(cert(['a.example.org', '192.0.2.1']), banner)).toBe(false);
  });
  it('falls back to the subject CN only without DNS SANs', () => {
    expect(certNameMatchesBanner(cert([], 'CN=mx.example.com, O=X'), banner)).toBe(true);
    expect(certNameMatchesBanner(cert(['192.0.2.1'], 'O=X, CN=mx.example.com'), banner)).toBe(true);
    expect(certNameMatchesBanner(cert(['other.example.com'], 'CN=mx.example.com'), banner)).toBe(false);
  });
  it('is null without a certificate or without a host name in the banner', () => {
    expect(certNameMatchesBanner(null, banner)).toBeNull();
    expect(certNameMatchesBanner(cert(['mx.example.com']), ['****************'])).toBeNull();
  });
});
