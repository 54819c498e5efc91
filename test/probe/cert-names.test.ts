/**
 * What a certificate covers (src/probe/cert-coverage.ts), on certificates made
 * here. Expectations from RFC 6125 §6.4 and RFC 9525 §6.3: DNS SANs, the CN
 * only without a DNS SAN, a wildcard only as a whole leftmost label covering
 * one label; IP names against IP SANs only.
 */
import { describe, expect, it } from 'vitest';
import { certCovers } from '../../src/probe/cert-coverage.js';
import { makeLeaf } from '../helpers/test-pki.js';

describe('certCovers', () => {
  it('a wildcard covers exactly one leftmost label', async () => {
    const { x509 } = await makeLeaf({ issuer: null, dns: ['*.example.test'] });
    expect(certCovers(x509, 'mx.example.test')).toBe(true);
    expect(certCovers(x509, 'MX.Example.Test')).toBe(true);
    expect(certCovers(x509, 'mx.example.test.')).toBe(true);
    expect(certCovers(x509, 'example.test')).toBe(false);
    expect(certCovers(x509, 'a.mx.example.test')).toBe(false);
  });

  it('refuses a wildcard right under the top label and a partial wildcard', async () => {
    expect(certCovers((await makeLeaf({ issuer: null, dns: ['*.test'] })).x509, 'example.test')).toBe(false);
    const partial = (await makeLeaf({ issuer: null, dns: ['mx*.example.test'] })).x509;
    expect(certCovers(partial, 'mx1.example.test')).toBe(false);
  });

  it('reads the subject CN only when there is no DNS SAN', async () => {
    const cnOnly = await makeLeaf({ issuer: null, subject: 'CN=mx.example.test, O=X' });
    expect(certCovers(cnOnly.x509, 'mx.example.test')).toBe(true);
    const cnAndIpSan = await makeLeaf({ issuer: null, subject: 'O=X, CN=mx.example.test', ips: ['192.0.2.1'] });
    expect(certCovers(cnAndIpSan.x509, 'mx.example.test')).toBe(true);
    const cnAndDnsSan = await makeLeaf({ issuer: null, subject: 'CN=mx.example.test', dns: ['other.example.test'] });
    expect(certCovers(cnAndDnsSan.x509, 'mx.example.test')).toBe(false);
    expect(certCovers(cnAndDnsSan.x509, 'other.example.test')).toBe(true);
  });

  it('holds IP literals to IP SANs, in any spelling, never to a CN or a DNS SAN', async () => {
    const { x509 } = await makeLeaf({ issuer: null, dns: ['192.0.2.9'], ips: ['192.0.2.1', '2001:db8::1'] });
    expect(certCovers(x509, '192.0.2.1')).toBe(true);
    expect(certCovers(x509, '2001:DB8:0:0::1')).toBe(true);
    expect(certCovers(x509, '2001:db8::2')).toBe(false);
    expect(certCovers(x509, '192.0.2.9')).toBe(false);
    const cn = await makeLeaf({ issuer: null, subject: 'CN=192.0.2.1' });
    expect(certCovers(cn.x509, '192.0.2.1')).toBe(false);
  });
});
