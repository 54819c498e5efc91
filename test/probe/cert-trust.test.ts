/**
 * The chain judgement of src/probe/cert-trust.ts on certificates made here,
 * at chosen instants, without a socket (the driver-level cases with a real
 * handshake are in cert-facts-over-tls.test.ts). Expectations from RFC 5280:
 * a path runs from the leaf through CA certificates (cA asserted, §4.2.1.9)
 * whose signatures verify, to a trust anchor; every certificate on it must be
 * inside its validity window (§6.1.3).
 */
import { describe, expect, it } from 'vitest';
import { judgeRefusedChain, trustedPath, validityOf } from '../../src/probe/cert-trust.js';
import { TrustAnchors } from '../../src/probe/trust-anchors.js';
import { DAY_MS, makeCa, makeLeaf, window } from '../helpers/test-pki.js';

const now = Date.now();

describe('trustedPath', () => {
  it('finds the path through the certificates sent, in any order, and stops at the anchor', async () => {
    const root = await makeCa('CN=root');
    const mid = await makeCa('CN=mid', { issuer: root });
    const low = await makeCa('CN=low', { issuer: mid });
    const leaf = await makeLeaf({ issuer: low, dns: ['mx.example.test'] });
    const anchors = new TrustAnchors([root.x509]);
    const path = trustedPath(leaf.x509, [mid.x509, root.x509, low.x509], anchors);
    expect(path?.map((c) => c.subject)).toEqual(['CN=mx.example.test', 'CN=low', 'CN=mid', 'CN=root']);
    expect(trustedPath(leaf.x509, [low.x509], anchors)).toBeNull();
  });

  it('needs the signature to verify, not only the names to agree', async () => {
    const root = await makeCa('CN=root');
    const impostor = await makeCa('CN=root');
    const leaf = await makeLeaf({ issuer: impostor, dns: ['mx.example.test'] });
    expect(trustedPath(leaf.x509, [], new TrustAnchors([root.x509]))).toBeNull();
    expect(trustedPath(leaf.x509, [], new TrustAnchors([impostor.x509]))).not.toBeNull();
  });

  it('never takes a certificate without cA as an issuer', async () => {
    const root = await makeCa('CN=root');
    const notCa = await makeLeaf({ issuer: root, subject: 'CN=not a ca' });
    const below = await makeLeaf({ issuer: notCa, dns: ['mx.example.test'] });
    expect(trustedPath(below.x509, [notCa.x509], new TrustAnchors([root.x509]))).toBeNull();
  });

  it('gives up after ten certificates short of an anchor', async () => {
    const root = await makeCa('CN=root');
    const chain = [root];
    for (let i = 0; i < 10; i++) chain.push(await makeCa(`CN=ca ${i}`, { issuer: chain[chain.length - 1]! }));
    const leaf = await makeLeaf({ issuer: chain[chain.length - 1]!, dns: ['mx.example.test'] });
    const sent = chain.slice(1).map((c) => c.x509);
    // The leaf and ten CAs before the root: one too many. Nine before an anchor is fine.
    expect(trustedPath(leaf.x509, sent, new TrustAnchors([root.x509]))).toBeNull();
    expect(trustedPath(leaf.x509, sent.slice(1), new TrustAnchors([chain[1]!.x509]))).toHaveLength(11);
  });
});

describe('judgeRefusedChain', () => {
  it('self-signed wins over dates; a listed self-signed certificate is an anchor', async () => {
    const expired = await makeLeaf({ issuer: null, dns: ['mx.example.test'], validity: window('expired') });
    expect(judgeRefusedChain(expired.x509, [], new TrustAnchors([]), now)).toBe('self-signed');
    expect(judgeRefusedChain(expired.x509, [], new TrustAnchors([expired.x509]), now)).toBe('expired');
  });

  it('dates count only on a trusted path, for every certificate on it', async () => {
    const root = await makeCa('CN=root', {
      validity: { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 100 * DAY_MS) },
    });
    const leaf = await makeLeaf({
      issuer: root,
      dns: ['mx.example.test'],
      validity: { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 10 * DAY_MS) },
    });
    const anchors = new TrustAnchors([root.x509]);
    expect(judgeRefusedChain(leaf.x509, [], anchors, now + 20 * DAY_MS)).toBe('expired');
    expect(judgeRefusedChain(leaf.x509, [], anchors, now - 2 * DAY_MS)).toBe('not-yet-valid');
    // The anchor is on the path too: OpenSSL checks its dates as well.
    const laterLeaf = await makeLeaf({
      issuer: root,
      dns: ['mx.example.test'],
      validity: window('current', now + 150 * DAY_MS),
    });
    expect(judgeRefusedChain(laterLeaf.x509, [], anchors, now + 150 * DAY_MS)).toBe('expired');
    // Good dates on a trusted path, yet refused by OpenSSL: untrusted.
    expect(judgeRefusedChain(leaf.x509, [], anchors, now)).toBe('untrusted');
    expect(judgeRefusedChain(leaf.x509, [], new TrustAnchors([]), now + 20 * DAY_MS)).toBe('untrusted');
  });
});

describe('validityOf', () => {
  it('places an instant in a window, inclusive at both ends', () => {
    expect(validityOf(10, 20, 9)).toBe('not-yet-valid');
    expect(validityOf(10, 20, 10)).toBe('current');
    expect(validityOf(10, 20, 20)).toBe('current');
    expect(validityOf(10, 20, 21)).toBe('expired');
    expect(validityOf(Number.NaN, 20, 15)).toBeNull();
  });
});
