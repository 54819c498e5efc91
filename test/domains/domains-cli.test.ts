/**
 * `stripscan domains` end to end, as a user runs it, against a world on
 * loopback (fixtures/domain-world.ts): NSD with an unsigned and a signed
 * zone behind a validating Unbound, scripted MX hosts, an HTTPS policy
 * server with a test CA. Every lookup goes to that Unbound (`--resolver`);
 * nothing asks the system resolver.
 *
 * Each expected verdict is written from the RFCs, not from the code's output:
 * RFC 8461 (MTA-STS), RFC 7672 with RFC 6698 (DANE for SMTP), RFC 8460
 * (TLS-RPT), RFC 7505 (null MX), RFC 5321 §5.1 (implicit MX), and the
 * STARTTLS Everywhere list's format.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainResult } from '../../src/domains/domain-scan.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/run-cli.js';
import { DANE_EE_CASES, DANE_TA_CASES } from './fixtures/domain-world.js';
import { CAMPAIGN, DOMAINS, runDomainsOverWorld, type DomainsRun } from './fixtures/domains-run.js';

let done: DomainsRun;
let byDomain: Map<string, DomainResult>;

beforeAll(async () => {
  done = await runDomainsOverWorld();
  byDomain = done.byDomain;
}, 120_000);

afterAll(async () => {
  await done?.stop();
});

function verdictsOf(domain: string): DomainResult['verdicts'] {
  const result = byDomain.get(domain);
  if (result === undefined) throw new Error(`no result for ${domain}`);
  return result.verdicts;
}

function onlyVerdict(domain: string): DomainResult['verdicts'][number] {
  const rows = verdictsOf(domain);
  expect(rows, domain).toHaveLength(1);
  return rows[0] as DomainResult['verdicts'][number];
}

describe('stripscan domains over the test world', () => {
  it('runs to the end and reports every domain', () => {
    expect(done.cli.stderr).not.toMatch(/internal error/);
    expect(done.cli.code, done.cli.stderr).toBe(0);
    expect([...byDomain.keys()].sort()).toEqual([...DOMAINS].sort());
    expect(done.cli.stderr).toMatch(/rest on the retired STARTTLS Everywhere list alone/);
  });

  describe('MTA-STS (RFC 8461)', () => {
    it('enforce mode, MX stripped → policy-violated, resting on a starttls-stripped probe', () => {
      const v = onlyVerdict('enforce-stripped.plain.test');
      expect(v).toMatchObject({
        mx: 'mx-stripped.plain.test',
        ip: '127.77.0.2',
        verdict: 'policy-violated',
        policy_source: 'mta-sts',
        policy_mode: 'enforce',
        mx_matches: true,
        outcome: 'starttls-stripped',
        strip_evidence: 'direct',
      });
      expect(v.reasons).toContain('starttls-stripped');
      const d = byDomain.get('enforce-stripped.plain.test');
      expect(d).toMatchObject({
        mta_sts_status: 'ok',
        mta_sts_id: '20240101T000000',
        mta_sts_mode: 'enforce',
        mta_sts_max_age: 86400,
      });
      expect(d?.mta_sts_mx).toEqual(['mx-stripped.plain.test']);
    });

    it('testing mode, the same MX → policy-testing-violated', () => {
      expect(onlyVerdict('testing-stripped.plain.test')).toMatchObject({
        verdict: 'policy-testing-violated',
        policy_source: 'mta-sts',
        policy_mode: 'testing',
        mx_matches: true,
      });
    });

    it('enforce mode, a matching MX with a trusted certificate for its name → policy-ok', () => {
      expect(onlyVerdict('enforce-ok.plain.test')).toMatchObject({
        verdict: 'policy-ok',
        outcome: 'tls-ok',
        cert_status: 'valid',
        cert_name_matches: true,
        mx_matches: true,
      });
    });

    it('mode none → no-policy, even over a stripped MX', () => {
      expect(onlyVerdict('none-mode.plain.test')).toMatchObject({
        verdict: 'no-policy',
        policy_source: 'mta-sts',
        policy_mode: 'none',
      });
      expect(byDomain.get('none-mode.plain.test')?.mta_sts_mode).toBe('none');
    });

    it('an MX matching none of the mx patterns → policy-violated, though its TLS is fine', () => {
      const v = onlyVerdict('mx-mismatch.plain.test');
      expect(v).toMatchObject({ verdict: 'policy-violated', mx_matches: false, outcome: 'tls-ok' });
      expect(v.reasons).toEqual(['mx-not-in-policy']);
    });

    it.each([
      ['malformed.plain.test', 'malformed', /mode "sometimes"/],
      ['redirect.plain.test', 'redirect', /HTTP 301/],
      ['oversized.plain.test', 'too-large', /65536/],
      ['wrongcert.plain.test', 'tls-invalid', /ALTNAME/],
      ['httponly.plain.test', 'tls-invalid', /./],
      ['badtxt.plain.test', 'txt-malformed', /id/],
    ])('%s: policy %s → policy-error, never a pass', (domain, status, error) => {
      const d = byDomain.get(domain);
      expect(d?.mta_sts_status).toBe(status);
      expect(d?.mta_sts_error).toMatch(error);
      expect(d?.mta_sts_mode).toBeNull();
      expect(onlyVerdict(domain)).toMatchObject({ verdict: 'policy-error', policy_source: 'mta-sts' });
    });

    it('a probe that timed out is inconclusive, not a violation', () => {
      expect(onlyVerdict('slow.plain.test')).toMatchObject({
        verdict: 'policy-inconclusive',
        outcome: 'timeout',
        mx_matches: true,
      });
    });

    it('no MTA-STS record → no-policy, whatever the MX does', () => {
      expect(onlyVerdict('nopolicy.plain.test')).toMatchObject({
        verdict: 'no-policy',
        policy_source: 'none',
        outcome: 'starttls-stripped',
      });
      expect(byDomain.get('nopolicy.plain.test')?.mta_sts_status).toBe('none');
    });
  });

  describe('MX resolution (RFC 5321 §5.1, RFC 7505)', () => {
    it('a null MX is recorded, and nothing is probed', () => {
      expect(byDomain.get('nullmx.plain.test')).toMatchObject({ mx_status: 'null-mx', mx_hosts: [] });
      expect(verdictsOf('nullmx.plain.test')).toEqual([]);
    });

    it('NXDOMAIN and a bogus MX answer (SERVFAIL) are outcomes', () => {
      expect(byDomain.get('nxdomain.plain.test')?.mx_status).toBe('nxdomain');
      expect(byDomain.get('servfail.signed.test')?.mx_status).toBe('servfail');
      expect(verdictsOf('servfail.signed.test')).toEqual([]);
    });

    it('no MX records: the domain itself is the implicit MX, probed and named as such', () => {
      expect(byDomain.get('implicit.plain.test')?.mx_status).toBe('implicit');
      expect(onlyVerdict('implicit.plain.test')).toMatchObject({
        mx: 'implicit.plain.test',
        implicit_mx: true,
        mx_preference: 0,
        verdict: 'policy-ok',
        cert_name_matches: true,
      });
    });

    it('records answers with TTLs and the AD bit: signed answers validated, unsigned ones not', () => {
      const signed = byDomain.get('dane-ee.signed.test');
      const plain = byDomain.get('enforce-ok.plain.test');
      expect(signed).toMatchObject({ mx_ad: true });
      expect(plain).toMatchObject({ mx_ad: false });
      for (const d of [signed, plain]) {
        expect(d?.mx_ttl).toBeGreaterThan(0);
        expect(d?.mx_ttl).toBeLessThanOrEqual(300);
      }
      const lookups = JSON.parse(signed?.dns_lookups ?? '[]') as { name: string; type: string; ad: boolean }[];
      expect(lookups.find((l) => l.name === 'ee-1-1.signed.test' && l.type === 'A')?.ad).toBe(true);
      expect(lookups.find((l) => l.name === '_25._tcp.ee-1-1.signed.test' && l.type === 'TLSA')?.ad).toBe(true);
    });
  });

  describe('TLS-RPT (RFC 8460)', () => {
    it('the record and its rua destinations are recorded', () => {
      expect(byDomain.get('enforce-stripped.plain.test')).toMatchObject({
        tlsrpt_status: 'ok',
        tlsrpt_rua: ['mailto:tlsrpt@plain.test', 'https://report.plain.test/v1'],
      });
      expect(byDomain.get('enforce-ok.plain.test')?.tlsrpt_status).toBe('none');
    });
  });

  describe('DANE (RFC 7672, RFC 6698)', () => {
    const expected: Record<string, 'policy-ok' | 'policy-violated'> = {
      'ee-mismatch': 'policy-violated',
      'ta-mismatch': 'policy-violated',
      'ta-wrongname': 'policy-violated',
    };
    it.each([...DANE_EE_CASES, ...DANE_TA_CASES].map((c) => c.host))('%s', (host) => {
      const domain = host.startsWith('ee-') ? 'dane-ee.signed.test' : 'dane-ta.signed.test';
      const row = verdictsOf(domain).find((r) => r.mx === `${host}.signed.test`);
      expect(row).toMatchObject({
        verdict: expected[host] ?? 'policy-ok',
        policy_source: 'dane',
        dane_status: host === 'pkix-only' ? 'no-usable-records' : 'usable',
        outcome: 'tls-ok',
        address_ad: true,
      });
      const wantMatch = (expected[host] ?? 'policy-ok') === 'policy-ok' && host !== 'pkix-only';
      expect(row?.dane_match !== null, `${host} dane_match`).toBe(wantMatch);
    });

    it('a DANE MX without STARTTLS → policy-violated', () => {
      expect(onlyVerdict('dane-stripped.signed.test')).toMatchObject({
        verdict: 'policy-violated',
        policy_source: 'dane',
        outcome: 'starttls-stripped',
      });
    });

    it('a bogus TLSA answer makes the MX unusable: policy-error, though its chain would have matched', () => {
      const v = onlyVerdict('dane-bogus.signed.test');
      expect(v).toMatchObject({ verdict: 'policy-error', dane_status: 'bogus', address_ad: true, dane_match: null });
      expect(v.reasons).toContain('tlsa-bogus');
    });

    it('TLSA records in an unsigned zone are ignored', () => {
      const v = onlyVerdict('insecure-dane.plain.test');
      expect(v).toMatchObject({ verdict: 'no-policy', policy_source: 'none', dane_status: 'insecure' });
      expect(v.reasons).toContain('tlsa-insecure-ignored');
    });
  });

  describe('the STARTTLS Everywhere list', () => {
    it('a domain on the list only: its verdict rests on the list, counted apart', () => {
      expect(onlyVerdict('preload-only.plain.test')).toMatchObject({
        verdict: 'policy-violated',
        policy_source: 'preload',
        policy_mode: 'enforce',
        sources: ['preload'],
        mx_matches: true,
      });
      expect(byDomain.get('preload-only.plain.test')).toMatchObject({
        preload_mode: 'enforce',
        preload_mxs: ['.plain.test'],
      });
    });

    it('a policy-alias gives its mode and mxs; a leading dot matches any depth', () => {
      expect(onlyVerdict('preload-alias.plain.test')).toMatchObject({
        verdict: 'policy-ok',
        policy_source: 'preload',
        policy_mode: 'testing',
      });
      expect(byDomain.get('preload-alias.plain.test')?.preload_alias).toBe('plain-test-hosts');
    });

    it('an MX outside the listed mxs → policy-violated', () => {
      expect(onlyVerdict('preload-mismatch.plain.test')).toMatchObject({
        verdict: 'policy-violated',
        mx_matches: false,
      });
    });
  });

  describe('probes', () => {
    it('an MX shared by many domains is probed once per name and address', () => {
      // mx-stripped serves five domains; 127.77.0.2 also carries mx-stripped-tlsa and mx-dane-stripped.
      expect(done.world.servers.stripped.connections).toBe(3);
      // 127.77.0.1: mx-good (ten domains) and the implicit MX's name.
      expect(done.world.servers.good.connections).toBe(2);
      const stamps = DOMAINS.flatMap((d) => verdictsOf(d))
        .filter((v) => v.mx === 'mx-stripped.plain.test')
        .map((v) => v.observed_at);
      expect(stamps).toHaveLength(5);
      expect(new Set(stamps).size).toBe(1);
    });

    it('stores domains, verdicts and the observations they rest on', async () => {
      const store = await openStore({ dataDir: done.dataDir });
      try {
        const q = async <T>(query: string): Promise<T[]> =>
          (await store.client.query({ query, format: 'JSONEachRow', query_params: { c: CAMPAIGN } })).json<T>();
        expect(await q(`SELECT count() AS n FROM domains WHERE campaign = {c:String}`)).toEqual([
          { n: DOMAINS.length },
        ]);
        const joined = await q<{ verdict: string; outcome: string; server_name: string }>(
          `SELECT p.verdict AS verdict, toString(o.outcome) AS outcome, o.server_name AS server_name
             FROM domain_policies AS p
             INNER JOIN observations AS o
               ON o.campaign = p.campaign AND o.ip = p.ip AND o.port = p.port AND o.server_name = p.mx AND o.ts = p.observed_at
            WHERE p.campaign = {c:String} AND p.domain = 'enforce-stripped.plain.test'`,
        );
        expect(joined).toEqual([
          { verdict: 'policy-violated', outcome: 'starttls-stripped', server_name: 'mx-stripped.plain.test' },
        ]);
      } finally {
        await store.close();
      }
    });
  });
});

describe('stored domain results through the query and report commands', () => {
  it('the saved queries count violations by fingerprint, preload-only rows apart, and adoption', async () => {
    const q = await runCli([
      'query',
      '--saved',
      'domain-violations-by-fingerprint',
      '--param',
      `campaign=${CAMPAIGN}`,
      '--format',
      'json',
      '--data-dir',
      done.dataDir,
    ]);
    expect(q.code, q.stderr).toBe(0);
    const jsonLines = (text: string): Record<string, unknown>[] =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = jsonLines(q.stdout);
    const masked = rows.filter((r) => r.fingerprint === 'masked-ehlo-keyword');
    // One box behind three promises: MTA-STS enforce, MTA-STS testing, DANE, and the list (counted apart).
    expect(masked.map((r) => [r.policy_source, r.verdict, Number(r.domains)]).sort()).toEqual(
      [
        ['dane', 'policy-violated', 1],
        ['mta-sts', 'policy-testing-violated', 1],
        ['mta-sts', 'policy-violated', 1],
        ['preload', 'policy-violated', 1],
      ].sort(),
    );
    const adoption = await runCli([
      'query',
      '--saved',
      'policy-adoption',
      '--format',
      'json',
      '--data-dir',
      done.dataDir,
    ]);
    expect(adoption.code, adoption.stderr).toBe(0);
    expect(jsonLines(adoption.stdout)).toMatchObject([
      {
        campaign: CAMPAIGN,
        domains_with_mx: 22,
        mta_sts_enforce: 5,
        mta_sts_testing: 1,
        // Malformed, redirect, oversized, wrong certificate, HTTP only, bad TXT record.
        mta_sts_broken: 6,
        dane: 3,
        tls_rpt: 1,
        preload_list: 3,
      },
    ]);
  });

  it('the report has a domains section listing the broken promises', async () => {
    const html = join(done.dir, 'report.html');
    const r = await runCli(['report', '--campaign', CAMPAIGN, '--html', html, '--data-dir', done.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain(`Domains and their promises: ${CAMPAIGN}`);
    const broken = text.slice(text.indexOf('<h3>Broken promises</h3>'));
    for (const domain of [
      'enforce-stripped.plain.test',
      'preload-only.plain.test',
      'dane-ee.signed.test',
      'mx-mismatch.plain.test',
    ]) {
      expect(broken).toContain(domain);
    }
    expect(broken.slice(0, broken.indexOf('</table>'))).not.toContain('enforce-ok.plain.test');
  });
});

describe('stripscan domains and reserved addresses', () => {
  it('an MX on loopback is not probed without --allow-reserved: recorded, and the verdict inconclusive', async () => {
    const before = done.world.servers.good.connections;
    const args = done.worldArgs.filter((a) => a !== '--allow-reserved');
    const r = await runCli(['domains', 'enforce-ok.plain.test', ...args, '--no-store'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim()) as DomainResult;
    expect(result.mx_skipped).toEqual(['mx-good.plain.test 127.77.0.1 (loopback)']);
    expect(result.verdicts).toMatchObject([
      { ip: null, verdict: 'policy-inconclusive', reasons: ['mx-address-reserved'] },
    ]);
    expect(done.world.servers.good.connections).toBe(before);
  });
});

describe('stripscan domains when the resolver does not answer', () => {
  let silent: UdpSocket;
  beforeAll(async () => {
    silent = createSocket('udp4');
    silent.on('message', () => undefined);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => silent?.close());

  it('every lookup is a timeout outcome, the run still ends 0', async () => {
    const port = silent.address().port;
    const result = await runCli(
      [
        'domains',
        'enforce-ok.plain.test',
        'dane-ee.signed.test',
        '--resolver',
        `127.0.0.1:${port}`,
        '--dns-timeout',
        '200',
        '--dns-attempts',
        '2',
        '--no-store',
      ],
      { timeoutMs: 30_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DomainResult);
    expect(rows.map((r) => [r.domain, r.mx_status, r.mta_sts_status, r.tlsrpt_status])).toEqual([
      ['enforce-ok.plain.test', 'timeout', 'txt-lookup-failed', 'lookup-failed'],
      ['dane-ee.signed.test', 'timeout', 'txt-lookup-failed', 'lookup-failed'],
    ]);
    expect(rows.every((r) => r.verdicts.length === 0)).toBe(true);
  });
});

describe('stripscan domains with bad input', () => {
  it.each([
    [['domains', 'not_a_domain', '--resolver', '127.0.0.1:1'], /"not_a_domain" is not a domain name/],
    [['domains', 'example.test', '--resolver', 'dns.example'], /--resolver "dns.example"/],
    [['domains', 'example.test', '--resolver', '127.0.0.1:70000'], /--resolver "127.0.0.1:70000"/],
    [
      ['domains', 'example.test', '--resolver', '127.0.0.1:1', '--preload-list', '/nonexistent.json'],
      /--preload-list "\/nonexistent.json": cannot read it/,
    ],
  ])('%j exits 2 naming the value', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
