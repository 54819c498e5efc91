/**
 * Certificate facts through the real driver and a real TLS handshake over
 * loopback. Expectations are written from the rules, not from the code:
 *
 * - cert_status judges trust first (docs/classification.md, "Certificate
 *   status"): a self-issued leaf that is not a trust anchor is self-signed;
 *   no path to an anchor (the system roots plus --ca-file) is untrusted;
 *   only a trusted path can be expired / not-yet-valid (any certificate on
 *   it outside its window, RFC 5280 §6.1.3 (a)(2)); else valid.
 * - cert_validity is the leaf's own window at probe time, whatever its trust.
 * - Names follow RFC 6125 §6.4 (a wildcard is one whole leftmost label);
 *   an IP name matches IP SANs (§1.7.2) and is not sent as SNI (RFC 6066 §3).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget, type DriverOptions, type ProbeTarget } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import type { ScanRecord } from '../../src/record.js';
import { makeCa, makeLeaf, window, type Issued } from '../helpers/test-pki.js';
import { startStartTlsServer, type StartTlsServer } from '../helpers/starttls-server.js';

const EHLO_NAME = 'scanner.stripscan.test';
const HOST = 'mx.example.test';

let dir = '';
let driver: DriverOptions;
/** Trusted through --ca-file. */
let root: Issued;
/** Never trusted. */
let strangerRoot: Issued;
/** A self-signed server certificate that --ca-file lists itself. */
let pinnedSelfSigned: Issued;
let pinnedExpiredSelfSigned: Issued;
const servers: StartTlsServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stripscan-certs-'));
  root = await makeCa('CN=stripscan test root, O=stripscan tests');
  strangerRoot = await makeCa('CN=stranger root, O=nobody trusts this');
  pinnedSelfSigned = await makeLeaf({ issuer: null, dns: ['pinned.example.test'] });
  pinnedExpiredSelfSigned = await makeLeaf({ issuer: null, dns: ['pinned.example.test'], validity: window('expired') });
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.pem + pinnedSelfSigned.pem + pinnedExpiredSelfSigned.pem);
  driver = {
    ehloName: EHLO_NAME,
    forceStartTls: true,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    tlsContext: createProbeTlsContext({ caFile }),
  };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(
  leaf: Issued,
  sentAfterLeaf: Issued[] = [],
  banner = `${HOST} ESMTP test`,
): Promise<StartTlsServer> {
  const server = await startStartTlsServer({
    banner,
    chainPem: [leaf, ...sentAfterLeaf].map((c) => c.pem).join(''),
    keyPem: leaf.keyPem,
  });
  servers.push(server);
  return server;
}

async function probe(server: StartTlsServer, name?: string): Promise<ScanRecord> {
  const target: ProbeTarget = { ip: '127.0.0.1', port: server.port, ...(name === undefined ? {} : { name }) };
  const record = await probeTarget(target, driver);
  expect(record.outcome, record.transcript).toBe('tls-ok');
  return record;
}

describe('cert_status: trust first, then dates; cert_validity: the leaf alone', () => {
  it('a current leaf under a trusted root is valid and current', async () => {
    const record = await probe(await serve(await makeLeaf({ issuer: root, dns: [HOST] })));
    expect(record).toMatchObject({ cert_status: 'valid', cert_validity: 'current', cert_chain_len: 1 });
  });

  it('an expired self-signed leaf is self-signed, its validity expired', async () => {
    const leaf = await makeLeaf({ issuer: null, dns: [HOST], validity: window('expired') });
    const record = await probe(await serve(leaf));
    expect(record).toMatchObject({ cert_status: 'self-signed', cert_validity: 'expired' });
  });

  it('a current self-signed leaf is self-signed and current', async () => {
    const record = await probe(await serve(await makeLeaf({ issuer: null, dns: [HOST] })));
    expect(record).toMatchObject({ cert_status: 'self-signed', cert_validity: 'current' });
  });

  it('an expired leaf under a trusted root is expired', async () => {
    const leaf = await makeLeaf({ issuer: root, dns: [HOST], validity: window('expired') });
    const record = await probe(await serve(leaf));
    expect(record).toMatchObject({ cert_status: 'expired', cert_validity: 'expired' });
  });

  it('a not-yet-valid leaf under a trusted root is not-yet-valid', async () => {
    const leaf = await makeLeaf({ issuer: root, dns: [HOST], validity: window('not-yet-valid') });
    const record = await probe(await serve(leaf));
    expect(record).toMatchObject({ cert_status: 'not-yet-valid', cert_validity: 'not-yet-valid' });
  });

  it('a leaf under an unknown root is untrusted, whatever its dates', async () => {
    const current = await probe(await serve(await makeLeaf({ issuer: strangerRoot, dns: [HOST] })));
    expect(current).toMatchObject({ cert_status: 'untrusted', cert_validity: 'current' });
    const expired = await makeLeaf({ issuer: strangerRoot, dns: [HOST], validity: window('expired') });
    // The unknown root sent along changes nothing: a root is trusted by being an anchor, not by being sent.
    const record = await probe(await serve(expired, [strangerRoot]));
    expect(record).toMatchObject({ cert_status: 'untrusted', cert_validity: 'expired', cert_chain_len: 2 });
  });

  it('a self-signed leaf that --ca-file lists is an anchor: valid, or expired when its dates are past', async () => {
    expect(await probe(await serve(pinnedSelfSigned))).toMatchObject({
      cert_status: 'valid',
      cert_validity: 'current',
    });
    expect(await probe(await serve(pinnedExpiredSelfSigned))).toMatchObject({
      cert_status: 'expired',
      cert_validity: 'expired',
    });
  });

  describe('intermediates', () => {
    let intermediate: Issued;
    let expiredIntermediate: Issued;
    beforeAll(async () => {
      intermediate = await makeCa('CN=stripscan test intermediate', { issuer: root });
      expiredIntermediate = await makeCa('CN=stripscan expired intermediate', {
        issuer: root,
        validity: window('expired'),
      });
    });

    it('sent: the path reaches the root, valid', async () => {
      const leaf = await makeLeaf({ issuer: intermediate, dns: [HOST] });
      const record = await probe(await serve(leaf, [intermediate]));
      expect(record).toMatchObject({ cert_status: 'valid', cert_validity: 'current', cert_chain_len: 2 });
    });

    it('not sent: no path (a scanner fetches nothing), untrusted', async () => {
      const leaf = await makeLeaf({ issuer: intermediate, dns: [HOST] });
      const record = await probe(await serve(leaf));
      expect(record).toMatchObject({ cert_status: 'untrusted', cert_validity: 'current', cert_chain_len: 1 });
    });

    it('sent after an unrelated certificate: the path is still found', async () => {
      const leaf = await makeLeaf({ issuer: intermediate, dns: [HOST], validity: window('expired') });
      const record = await probe(await serve(leaf, [strangerRoot, intermediate]));
      expect(record).toMatchObject({ cert_status: 'expired', cert_validity: 'expired', cert_chain_len: 3 });
    });

    it('an expired intermediate on the trusted path makes the chain expired, the current leaf stays current', async () => {
      const leaf = await makeLeaf({ issuer: expiredIntermediate, dns: [HOST] });
      const record = await probe(await serve(leaf, [expiredIntermediate]));
      expect(record).toMatchObject({ cert_status: 'expired', cert_validity: 'current' });
    });

    it('one certificate from several servers: each record has the chain, status and names of its own connection', async () => {
      // Facts read from a certificate's bytes are kept per fingerprint (hosted mail serves one certificate from
      // many addresses); what the connection decides — the chain sent, its status — must never be carried over.
      const shared = await makeLeaf({ issuer: intermediate, dns: ['shared.example.test'] });
      const other = await makeLeaf({ issuer: root, dns: ['other.example.test'] });
      const withChain = await serve(shared, [intermediate]);
      const leafOnly = await serve(shared);
      const otherServer = await serve(other);
      const expected = {
        withChain: { cert_status: 'valid', cert_chain_len: 2, cert_sans: ['shared.example.test'] },
        leafOnly: { cert_status: 'untrusted', cert_chain_len: 1, cert_sans: ['shared.example.test'] },
        other: { cert_status: 'valid', cert_chain_len: 1, cert_sans: ['other.example.test'] },
      };
      for (let round = 0; round < 2; round++) {
        const a = await probe(withChain);
        const b = await probe(leafOnly);
        const c = await probe(otherServer);
        expect(a).toMatchObject(expected.withChain);
        expect(b).toMatchObject(expected.leafOnly);
        expect(c).toMatchObject(expected.other);
        expect(b.cert_sha256).toBe(a.cert_sha256);
        expect(c.cert_sha256).not.toBe(a.cert_sha256);
      }
    });

    it('a trusted path with good dates that breaks a path length constraint is untrusted (RFC 5280 §4.2.1.9)', async () => {
      // A root with pathLenConstraint 0 may issue leaves only, not a CA below it.
      const strictRoot = await makeCa('CN=strict root', { pathLength: 0 });
      const below = await makeCa('CN=below the strict root', { issuer: strictRoot });
      const caFile = join(dir, 'strict.pem');
      writeFileSync(caFile, strictRoot.pem);
      const leaf = await makeLeaf({ issuer: below, dns: [HOST] });
      const server = await serve(leaf, [below]);
      const record = await probeTarget(
        { ip: '127.0.0.1', port: server.port },
        { ...driver, tlsContext: createProbeTlsContext({ caFile }) },
      );
      expect(record).toMatchObject({ outcome: 'tls-ok', cert_status: 'untrusted', cert_validity: 'current' });
    });
  });
});

describe('names: server_name as SNI, cert_name_matches, cert_name_matches_banner', () => {
  it('sends a target name as SNI and holds the certificate to it; EHLO keeps the scanner name', async () => {
    const server = await serve(await makeLeaf({ issuer: root, dns: [HOST] }));
    expect(await probe(server, HOST)).toMatchObject({
      server_name: HOST,
      cert_name_matches: true,
      cert_name_matches_banner: true,
    });
    expect(await probe(server, 'other.example.test')).toMatchObject({
      server_name: 'other.example.test',
      cert_name_matches: false,
      cert_name_matches_banner: true,
      // The name is no part of trust: the chain is as valid as before.
      cert_status: 'valid',
    });
    expect(await probe(server)).toMatchObject({ server_name: null, cert_name_matches: null });
    expect(server.serverNames).toEqual([HOST, 'other.example.test', null]);
    expect(server.commands.filter((c) => c.startsWith('EHLO'))).toEqual(Array(6).fill(`EHLO ${EHLO_NAME}`));
  });

  it('holds an IP name to the IP SANs and sends no SNI for it', async () => {
    const ipCert = await serve(await makeLeaf({ issuer: root, subject: 'CN=127.0.0.1', ips: ['127.0.0.1'] }));
    expect(await probe(ipCert, '127.0.0.1')).toMatchObject({ server_name: '127.0.0.1', cert_name_matches: true });
    expect(ipCert.serverNames).toEqual([null]);
    const otherIp = await serve(await makeLeaf({ issuer: root, dns: [HOST], ips: ['192.0.2.1'] }));
    expect(await probe(otherIp, '127.0.0.1')).toMatchObject({ cert_name_matches: false });
    // An IP in the CN is not an IP SAN (RFC 6125 §1.7.2 leaves CN to DNS names).
    const cnOnly = await serve(await makeLeaf({ issuer: root, subject: 'CN=127.0.0.1' }));
    expect(await probe(cnOnly, '127.0.0.1')).toMatchObject({ cert_name_matches: false });
  });

  it('a wildcard covers exactly one leftmost label', async () => {
    const server = await serve(await makeLeaf({ issuer: root, dns: ['*.example.test'] }), [], 'mx.example.test ESMTP');
    const covered = await probe(server, 'mx.example.test');
    expect(covered).toMatchObject({ cert_name_matches: true, cert_name_matches_banner: true });
    expect(await probe(server, 'example.test')).toMatchObject({ cert_name_matches: false });
    expect(await probe(server, 'a.mx.example.test')).toMatchObject({ cert_name_matches: false });
    const deeper = await serve(
      await makeLeaf({ issuer: root, dns: ['*.example.test'] }),
      [],
      'a.mx.example.test ESMTP',
    );
    expect(await probe(deeper)).toMatchObject({ cert_name_matches_banner: false, cert_name_matches: null });
  });

  it('a certificate for another host does not cover the banner host', async () => {
    const server = await serve(await makeLeaf({ issuer: root, dns: ['other.example.test'] }));
    expect(await probe(server)).toMatchObject({ cert_name_matches_banner: false, cert_status: 'valid' });
  });
});
