/** --ca-file is read once for both the TLS context and the trust anchors, and refused clearly when unusable. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createProbeTlsContext, serverNameIndication } from '../../src/probe/tls-context.js';
import { makeCa, makeLeaf } from '../helpers/test-pki.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-ca-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('createProbeTlsContext', () => {
  it('makes every certificate of the bundle an anchor, beside the system roots', async () => {
    const a = await makeCa('CN=bundle a');
    const b = await makeCa('CN=bundle b');
    const { trustAnchors } = createProbeTlsContext({ caFile: file('bundle.pem', `# comment\n${a.pem}\n${b.pem}`) });
    const leafOfB = await makeLeaf({ issuer: b, dns: ['mx.example.test'] });
    expect(trustAnchors.has(a.x509)).toBe(true);
    expect(trustAnchors.issuersOf(leafOfB.x509).map((anchor) => anchor.cert.subject)).toEqual(['CN=bundle b']);
    // The system roots are anchors too, without --ca-file.
    expect(createProbeTlsContext().trustAnchors.has(a.x509)).toBe(false);
  });

  it('refuses a file without a certificate, or with one OpenSSL cannot read, naming the file', async () => {
    const empty = file('empty.pem', 'nothing here\n');
    expect(() => createProbeTlsContext({ caFile: empty })).toThrow(UsageError);
    expect(() => createProbeTlsContext({ caFile: empty })).toThrow(`--ca-file "${empty}": no PEM certificate in it`);
    const good = (await makeCa('CN=good')).pem;
    const broken = file('broken.pem', `${good}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    expect(() => createProbeTlsContext({ caFile: broken })).toThrow(
      `--ca-file "${broken}": certificate 2 cannot be read`,
    );
  });
});

describe('serverNameIndication', () => {
  it('sends a host name, never an IP literal (RFC 6066 §3), nothing without a name', () => {
    expect(serverNameIndication('mx.example.test')).toBe('mx.example.test');
    expect(serverNameIndication('192.0.2.1')).toBe('');
    expect(serverNameIndication('2001:db8::1')).toBe('');
    expect(serverNameIndication(undefined)).toBe('');
  });
});
