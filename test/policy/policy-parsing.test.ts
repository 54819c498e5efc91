/**
 * The pure policy code, case by case from the RFCs' grammars and rules:
 * RFC 8461 §3.1 (the _mta-sts record), §3.2 (the policy), §4.1 (MX
 * patterns); RFC 8460 §3 (the TLS-RPT record); the STARTTLS Everywhere
 * list's format; RFC 7672 §3.1 (DANE-EE ignores names and dates, DANE-TA
 * checks both).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { matchDane } from '../../src/policy/dane.js';
import { mxMatchesPattern, parseMtaStsPolicy, parseMtaStsTxt } from '../../src/policy/mta-sts.js';
import { mxMatchesPreload, PreloadList } from '../../src/policy/preload-list.js';
import { parseTlsRptTxt } from '../../src/policy/tls-rpt.js';
import { judgeMx, type MxFacts } from '../../src/policy/verdict.js';
import { makeCa, makeLeaf, window } from '../helpers/test-pki.js';

describe('the _mta-sts TXT record (RFC 8461 §3.1)', () => {
  it.each([
    [['v=STSv1; id=20160831085700Z;'], { kind: 'ok', id: '20160831085700Z' }],
    [['v=STSv1;id=abc'], { kind: 'ok', id: 'abc' }],
    [['v=STSv1; id=abc; ext.name=value'], { kind: 'ok', id: 'abc' }],
    [['v=spf1 -all', 'v=STSv1; id=1'], { kind: 'ok', id: '1' }],
    [['v=spf1 -all'], { kind: 'none' }],
    [[], { kind: 'none' }],
    [['v=STSv1; id=1', 'v=STSv1; id=2'], { kind: 'multiple' }],
    [['v=STSv1;'], { kind: 'malformed' }],
    [[`v=STSv1; id=${'a'.repeat(33)}`], { kind: 'malformed' }],
    [['v=STSv1; id=has-hyphen'], { kind: 'malformed' }],
    [['v=STSv10; id=1'], { kind: 'malformed' }],
  ])('%j → %j', (records, expected) => {
    expect(parseMtaStsTxt(records)).toMatchObject(expected);
  });
});

describe('the MTA-STS policy (RFC 8461 §3.2)', () => {
  it('reads the RFC example, LF or CRLF, and ignores extension fields', () => {
    const text =
      'version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n';
    const want = { mode: 'enforce', mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'], maxAge: 604800 };
    expect(parseMtaStsPolicy(text)).toEqual({ ok: true, policy: want });
    expect(parseMtaStsPolicy(text.replaceAll('\n', '\r\n') + 'x-extension: yes\r\n')).toEqual({
      ok: true,
      policy: want,
    });
  });

  it('mode none needs no mx pattern', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n')).toMatchObject({
      ok: true,
      policy: { mode: 'none', mx: [] },
    });
  });

  it.each([
    ['mode: enforce\nmx: a.example\nmax_age: 1\n', /no version/],
    ['version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n', /STSv2/],
    ['version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n', /Enforce/],
    ['version: STSv1\nmode: enforce\nmax_age: 1\n', /no mx/],
    ['version: STSv1\nmode: testing\nmx: a.example\n', /no max_age/],
    ['version: STSv1\nmode: testing\nmx: a.example\nmax_age: 31557601\n', /over 31557600/],
    ['version: STSv1\nmode: testing\nmx: a.example\nmax_age: -1\n', /max_age/],
    ['version: STSv1\nmode: testing\nmx: mx*.example.com\nmax_age: 1\n', /bad mx pattern/],
    ['<html>not a policy</html>\n', /line 1/],
  ])('%j is malformed (%s)', (text, problem) => {
    const parsed = parseMtaStsPolicy(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });

  it('a wildcard pattern stands for exactly one left-most label (§4.1)', () => {
    expect(mxMatchesPattern('mx1.example.com', '*.example.com')).toBe(true);
    expect(mxMatchesPattern('MX1.Example.COM.', '*.example.com')).toBe(true);
    expect(mxMatchesPattern('example.com', '*.example.com')).toBe(false);
    expect(mxMatchesPattern('a.mx1.example.com', '*.example.com')).toBe(false);
    expect(mxMatchesPattern('mail.example.com', 'mail.example.com')).toBe(true);
    expect(mxMatchesPattern('mail2.example.com', 'mail.example.com')).toBe(false);
  });
});

describe('the _smtp._tls TXT record (RFC 8460 §3)', () => {
  it.each([
    [['v=TLSRPTv1; rua=mailto:reports@example.com'], { kind: 'ok', rua: ['mailto:reports@example.com'] }],
    [
      ['v=TLSRPTv1;rua=mailto:a@example.com, https://reporting.example.com/v1/tlsrpt'],
      { kind: 'ok', rua: ['mailto:a@example.com', 'https://reporting.example.com/v1/tlsrpt'] },
    ],
    [['something else'], { kind: 'none' }],
    [['v=TLSRPTv1; rua=mailto:a@example.com', 'v=TLSRPTv1; rua=mailto:b@example.com'], { kind: 'multiple' }],
    [['v=TLSRPTv1;'], { kind: 'malformed' }],
    [['v=TLSRPTv1; rua=ftp://example.com/'], { kind: 'malformed' }],
  ])('%j → %j', (records, expected) => {
    expect(parseTlsRptTxt(records)).toMatchObject(expected);
  });
});

describe('the STARTTLS Everywhere list', () => {
  const list = PreloadList.fromJson({
    'policy-aliases': { shared: { mode: 'testing', mxs: ['.mail.example'] } },
    policies: { 'a.example': { mode: 'enforce', mxs: ['mx.a.example'] }, 'b.example': { 'policy-alias': 'shared' } },
  });

  it('maps a domain by exact name, through an alias too', () => {
    expect(list.policyOf('A.Example.')).toEqual({ mode: 'enforce', mxs: ['mx.a.example'], alias: null });
    expect(list.policyOf('b.example')).toEqual({ mode: 'testing', mxs: ['.mail.example'], alias: 'shared' });
    expect(list.policyOf('sub.a.example')).toBeNull();
  });

  it('a leading dot matches any depth below, never the suffix itself', () => {
    expect(mxMatchesPreload('x.mail.example', ['.mail.example'])).toBe(true);
    expect(mxMatchesPreload('x.y.mail.example', ['.mail.example'])).toBe(true);
    expect(mxMatchesPreload('mail.example', ['.mail.example'])).toBe(false);
    expect(mxMatchesPreload('mx.a.example', ['mx.a.example'])).toBe(true);
    expect(mxMatchesPreload('mx2.a.example', ['mx.a.example'])).toBe(false);
  });

  it('refuses an alias that is not defined, and a mode the list does not know', () => {
    expect(() => PreloadList.fromJson({ policies: { 'a.example': { 'policy-alias': 'nope' } } })).toThrow(
      /"nope" is not defined/,
    );
    expect(() => PreloadList.fromJson({ policies: { 'a.example': { mode: 'none', mxs: ['.a.example'] } } })).toThrow(
      /policies/,
    );
  });
});

describe('DANE names and dates (RFC 7672 §3.1)', () => {
  it('DANE-EE ignores an expired leaf for another name; DANE-TA refuses both', async () => {
    const ca = await makeCa('CN=dane unit root');
    const leaf = await makeLeaf({ issuer: ca, dns: ['other.example'], validity: window('expired') });
    const chain = [leaf.x509.raw, ca.x509.raw];
    const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
    const ee = {
      usage: 3,
      selector: 1,
      matchingType: 1,
      data: sha(leaf.x509.publicKey.export({ type: 'spki', format: 'der' })),
    };
    const ta = { usage: 2, selector: 0, matchingType: 1, data: sha(ca.x509.raw) };
    expect(matchDane([ee], chain, 'mx.example', Date.now())).toMatchObject({ matched: true, depth: 0 });
    const refused = matchDane([ta], chain, 'mx.example', Date.now());
    expect(refused).toMatchObject({ matched: false });
    if (!refused.matched) expect(refused.reasons.join()).toMatch(/expired/);
    const current = await makeLeaf({ issuer: ca, dns: ['mx.example'] });
    expect(matchDane([ta], [current.x509.raw, ca.x509.raw], 'mx.example', Date.now())).toMatchObject({
      matched: true,
      depth: 1,
    });
    // The server must send the anchor itself (§3.2.1): a leaf alone matches no DANE-TA digest.
    expect(matchDane([ta], [current.x509.raw], 'mx.example', Date.now())).toMatchObject({ matched: false });
  });
});

describe('the verdict table', () => {
  const facts = (over: Partial<MxFacts>): MxFacts => ({
    mxHost: 'mx.example',
    mtaSts: { kind: 'policy', policy: { mode: 'enforce', mx: ['mx.example'], maxAge: 86400 } },
    dane: { kind: 'none', note: null },
    preload: null,
    probe: { outcome: 'tls-ok', cert_status: 'valid', cert_name_matches: true },
    daneMatch: null,
    ...over,
  });

  it.each([
    ['no-starttls', 'policy-violated', 'starttls-missing'],
    ['starttls-refused', 'policy-violated', 'starttls-refused'],
    ['tls-failed', 'policy-violated', 'tls-failed'],
    ['timeout', 'policy-inconclusive', 'probe-timeout'],
    ['connect-refused', 'policy-inconclusive', 'probe-connect-refused'],
  ] as const)('MTA-STS enforce, probe %s → %s', (outcome, verdict, reason) => {
    const v = judgeMx(facts({ probe: { outcome, cert_status: null, cert_name_matches: null } }));
    expect(v).toMatchObject({ verdict, source: 'mta-sts' });
    expect(v.reasons).toContain(reason);
  });

  it('MTA-STS wants a trusted certificate for the MX name', () => {
    const v = judgeMx(facts({ probe: { outcome: 'tls-ok', cert_status: 'self-signed', cert_name_matches: false } }));
    expect(v.verdict).toBe('policy-violated');
    expect(v.reasons).toEqual(['cert-self-signed', 'cert-name-mismatch']);
  });

  it('DANE governs over MTA-STS; every source is judged and kept', () => {
    const v = judgeMx(
      facts({
        dane: { kind: 'tlsa', records: [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32) }] },
        preload: { mode: 'testing', mxs: ['.example'], alias: null },
        probe: { outcome: 'tls-ok', cert_status: 'self-signed', cert_name_matches: false },
        daneMatch: {
          matched: true,
          record: { usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32) },
          depth: 0,
        },
      }),
    );
    expect(v).toMatchObject({ verdict: 'policy-ok', source: 'dane', sources: ['dane', 'mta-sts', 'preload'] });
    expect(v.sourceVerdicts).toEqual({
      dane: 'policy-ok',
      'mta-sts': 'policy-violated',
      preload: 'policy-testing-violated',
    });
  });

  it('no source at all → no-policy', () => {
    expect(judgeMx(facts({ mtaSts: { kind: 'none' } }))).toMatchObject({
      verdict: 'no-policy',
      source: 'none',
      sources: ['none'],
    });
  });
});
