/**
 * The oracle: the real probe path (probeTarget) against SMTP servers nobody on
 * the team wrote — Debian 12's Postfix 3.7, Exim 4.96 and aiosmtpd 1.4 — each
 * in five TLS configurations, directly and behind emulated middleboxes
 * (test/fixtures/mta/). Every expected field is written by hand from RFC 3207,
 * RFC 5321, RFC 6125 and the evidence rules (docs/classification.md), never
 * from classify() or from what the probe happens to output. The server
 * behaviour the expectations rest on is pinned first, with a raw client, in
 * "what the real servers answer": when a Debian update changes a reply, that
 * block fails and the expectations below must be reviewed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget, type DriverOptions } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext, type ProbeTlsContext } from '../../src/probe/tls-context.js';
import type { ScanRecord } from '../../src/record.js';
import {
  MTA_HOST,
  PLACEHOLDER_KEYWORD,
  portOf,
  POSTFIX_DISCARD_STARTTLS,
  startMiddlebox,
  startRealMtas,
  type MiddleboxKind,
  type MtaName,
  type RealMtas,
  type TlsProfile,
} from '../fixtures/mta/index.js';
import { RawSmtpClient } from '../sim/raw-smtp-client.js';

const EHLO_NAME = 'scanner.stripscan.test';
type Config = TlsProfile | typeof POSTFIX_DISCARD_STARTTLS;

let mtas: RealMtas;
let tlsContext: ProbeTlsContext;

beforeAll(async () => {
  mtas = await startRealMtas();
  // The test CA is a trust anchor, as --ca-file makes it.
  tlsContext = createProbeTlsContext({ caFile: mtas.pki.caFile });
}, 120_000);

afterAll(async () => {
  await mtas?.stop();
});

/** The server's port for a configuration, behind a fresh box of `box` when given; `done` closes the box. */
async function route(
  server: MtaName,
  config: Config,
  box: MiddleboxKind | null,
): Promise<{ port: number; done: () => Promise<void> }> {
  const port = portOf(mtas.servers[server], config);
  if (box === null) return { port, done: () => Promise.resolve() };
  const middlebox = await startMiddlebox(box, port);
  return { port: middlebox.port, done: () => middlebox.close() };
}

// What the servers say, verified with a raw client (no probe). The findings the
// tables below rely on, with the line each one comes from:
// - Postfix: unknown verb `500 5.5.2 Error: command not recognized` (500, not 502,
//   and no echo); STARTTLS without TLS (and with `smtpd_discard_ehlo_keywords =
//   starttls`) `502 5.5.1 Error: command not implemented`; STARTTLS after HELO is
//   accepted (220).
// - Exim: unknown verb `500 unrecognized command` (no echo); STARTTLS when it did
//   not advertise it in this session — no TLS, or after HELO — `503 STARTTLS
//   command used when not advertised`; it remembers advertising, not what the
//   client saw, so a STARTTLS line deleted on the path does not stop it.
// - aiosmtpd: unknown verb `500 Error: command "XXXXXXXX" not recognized` (echoed
//   in double quotes); STARTTLS without TLS `454 TLS not available`; STARTTLS after
//   HELO is accepted (220).
describe('what the real servers answer', () => {
  interface Finding {
    server: MtaName;
    config: Config;
    box?: MiddleboxKind;
    /** Commands after the banner; the reply to the last one (or the banner) is checked. */
    say: string[];
    /** Lines that must be in that reply (a RegExp for lines holding a date or a version). */
    has: (string | RegExp)[];
    /** EHLO keywords that must not be in it. */
    lacks?: string[];
  }
  const EHLO = `EHLO ${EHLO_NAME}`;
  const HELO = `HELO ${EHLO_NAME}`;
  const FINDINGS: Finding[] = [
    { server: 'postfix', config: 'starttls', say: [], has: [`220 ${MTA_HOST} ESMTP Postfix`] },
    { server: 'postfix', config: 'starttls', say: [EHLO], has: ['250-STARTTLS', '250-8BITMIME'] },
    { server: 'postfix', config: 'no-tls', say: [EHLO], has: ['250-8BITMIME'], lacks: ['STARTTLS'] },
    { server: 'postfix', config: POSTFIX_DISCARD_STARTTLS, say: [EHLO], has: ['250-8BITMIME'], lacks: ['STARTTLS'] },
    {
      server: 'postfix',
      config: 'starttls',
      say: [EHLO, 'XXXXXXXX'],
      has: ['500 5.5.2 Error: command not recognized'],
    },
    { server: 'postfix', config: 'starttls', say: ['XXXX scanner'], has: ['500 5.5.2 Error: command not recognized'] },
    { server: 'postfix', config: 'starttls', say: [EHLO, 'STARTTLS'], has: ['220 2.0.0 Ready to start TLS'] },
    { server: 'postfix', config: 'starttls', say: [HELO, 'STARTTLS'], has: ['220 2.0.0 Ready to start TLS'] },
    { server: 'postfix', config: 'no-tls', say: [EHLO, 'STARTTLS'], has: ['502 5.5.1 Error: command not implemented'] },
    {
      server: 'postfix',
      config: POSTFIX_DISCARD_STARTTLS,
      say: [EHLO, 'STARTTLS'],
      has: ['502 5.5.1 Error: command not implemented'],
    },
    { server: 'exim', config: 'starttls', say: [], has: [new RegExp(`^220 ${MTA_HOST} ESMTP Exim 4\\.\\d+ `)] },
    { server: 'exim', config: 'starttls', say: [EHLO], has: ['250-STARTTLS', '250-8BITMIME'] },
    { server: 'exim', config: 'no-tls', say: [EHLO], has: ['250-8BITMIME'], lacks: ['STARTTLS'] },
    { server: 'exim', config: 'starttls', say: [EHLO, 'XXXXXXXX'], has: ['500 unrecognized command'] },
    { server: 'exim', config: 'starttls', say: ['XXXX scanner'], has: ['500 unrecognized command'] },
    { server: 'exim', config: 'starttls', say: [EHLO, 'STARTTLS'], has: ['220 TLS go ahead'] },
    {
      server: 'exim',
      config: 'starttls',
      say: [HELO, 'STARTTLS'],
      has: ['503 STARTTLS command used when not advertised'],
    },
    {
      server: 'exim',
      config: 'no-tls',
      say: [EHLO, 'STARTTLS'],
      has: ['503 STARTTLS command used when not advertised'],
    },
    { server: 'aiosmtpd', config: 'starttls', say: [], has: [new RegExp(`^220 ${MTA_HOST} Python SMTP \\d`)] },
    { server: 'aiosmtpd', config: 'starttls', say: [EHLO], has: ['250-STARTTLS', '250-8BITMIME'] },
    { server: 'aiosmtpd', config: 'no-tls', say: [EHLO], has: ['250-8BITMIME'], lacks: ['STARTTLS'] },
    {
      server: 'aiosmtpd',
      config: 'starttls',
      say: [EHLO, 'XXXXXXXX'],
      has: ['500 Error: command "XXXXXXXX" not recognized'],
    },
    {
      server: 'aiosmtpd',
      config: 'starttls',
      say: ['XXXX scanner'],
      has: ['500 Error: command "XXXX" not recognized'],
    },
    { server: 'aiosmtpd', config: 'starttls', say: [EHLO, 'STARTTLS'], has: ['220 Ready to start TLS'] },
    { server: 'aiosmtpd', config: 'starttls', say: [HELO, 'STARTTLS'], has: ['220 Ready to start TLS'] },
    { server: 'aiosmtpd', config: 'no-tls', say: [EHLO, 'STARTTLS'], has: ['454 TLS not available'] },
    // The boxes do what they claim, seen from the client's side.
    {
      server: 'postfix',
      config: 'starttls',
      box: 'asa-mask',
      say: [EHLO],
      has: ['250-XXXXXXXA', '250-8BITMIME'],
      lacks: ['STARTTLS'],
    },
    {
      server: 'aiosmtpd',
      config: 'starttls',
      box: 'asa-mask',
      say: [EHLO, 'STARTTLS'],
      has: ['500 Error: command "XXXXXXXX" not recognized'],
    },
    {
      server: 'exim',
      config: 'starttls',
      box: 'mask-other-keyword',
      say: [EHLO],
      has: ['250-XXXXXXXA', '250-STARTTLS'],
      lacks: ['8BITMIME'],
    },
    { server: 'exim', config: 'starttls', box: 'delete-starttls', say: [EHLO], has: ['250 HELP'], lacks: ['STARTTLS'] },
    {
      server: 'exim',
      config: 'starttls',
      box: 'placeholder-starttls',
      say: [EHLO],
      has: [`250-${PLACEHOLDER_KEYWORD}`],
      lacks: ['STARTTLS'],
    },
    {
      server: 'postfix',
      config: 'starttls',
      box: 'answer-454',
      say: [EHLO, 'STARTTLS'],
      has: ['454 4.7.0 TLS not available'],
    },
    { server: 'postfix', config: 'starttls', box: 'pix-mailguard', say: [], has: [/^220 \**0?\**$/] },
    { server: 'exim', config: 'starttls', box: 'pix-mailguard', say: [], has: [/^220 [*20]+$/] },
    {
      server: 'postfix',
      config: 'starttls',
      box: 'mask-ehlo',
      say: [EHLO],
      has: ['500 5.5.2 Error: command not recognized'],
    },
  ];

  for (const f of FINDINGS) {
    it(`${f.server} ${f.config}${f.box ? ` behind ${f.box}` : ''}: ${f.say.join(', ') || 'banner'}`, async () => {
      const { port, done } = await route(f.server, f.config, f.box ?? null);
      const client = await RawSmtpClient.open('127.0.0.1', port);
      try {
        let reply = await client.readReply(15_000);
        for (const command of f.say) {
          client.send(command);
          reply = await client.readReply(15_000);
        }
        for (const line of f.has) {
          if (typeof line === 'string') expect(reply.lines).toContain(line);
          else
            expect(
              reply.lines.some((l) => line.test(l)),
              `${line} in ${JSON.stringify(reply.lines)}`,
            ).toBe(true);
        }
        const keywords = reply.lines.slice(1).map((l) => l.slice(4).trim().toUpperCase());
        for (const keyword of f.lacks ?? []) expect(keywords).not.toContain(keyword);
        client.send('QUIT');
      } finally {
        client.destroy();
        await done();
      }
    });
  }
});

/** The record fields each row pins down about the exchange. */
interface Expected {
  outcome: ScanRecord['outcome'];
  strip_evidence: ScanRecord['strip_evidence'];
  /** Compared as a set: the order is not part of the rules. */
  fingerprints: ScanRecord['fingerprints'];
  starttls_advertised: boolean;
  starttls_code: number | null;
  helo_fallback: boolean;
  /** A version when the configuration fixes it; ANY_VERSION when TLS completed at whatever both sides prefer. */
  tls_version: string | null | typeof ANY_VERSION;
  error_stage?: ScanRecord['error_stage'];
  error?: ScanRecord['error'];
  tls_error?: ScanRecord['tls_error'];
  /** The certificate's facts when a handshake completed, else null (all cert_* fields null). */
  cert: ExpectedCert | null;
}

interface ExpectedCert {
  cert_status: ScanRecord['cert_status'];
  cert_validity: ScanRecord['cert_validity'];
  /** RFC 6125: every leaf here names MTA_HOST, which every banner announces. */
  cert_name_matches_banner: boolean;
}

const ANY_VERSION = Symbol('any TLS version');

/** No handshake happened: no TLS or certificate facts. */
const NO_TLS = { tls_version: null, cert: null } as const;
/** A chain to the test CA (a --ca-file trust anchor), inside its dates, naming the banner's host. */
const TRUSTED_CURRENT: TlsPart = cert('valid', 'current');

interface Row {
  server: MtaName;
  config: Config;
  box: MiddleboxKind | null;
  /** Probe options for this row only (a shorter deadline where the deadline is the point). */
  probe?: Partial<DriverOptions>;
  expect: Expected;
}

// Each row: the one-line reason above it says where the expectation comes from
// (RFC, evidence rule in docs/classification.md, or a server finding above).
const ROWS: Row[] = [
  // ── Directly to the server: results that depend only on its configuration ──
  // RFC 3207 §4: STARTTLS advertised, 220, handshake; valid chain, current dates.
  { server: 'postfix', config: 'starttls', box: null, expect: tlsOk(TRUSTED_CURRENT) },
  { server: 'exim', config: 'starttls', box: null, expect: tlsOk(TRUSTED_CURRENT) },
  { server: 'aiosmtpd', config: 'starttls', box: null, expect: tlsOk(TRUSTED_CURRENT) },
  // Trust first: a self-issued leaf that is no anchor is 'self-signed'; its own dates are current.
  { server: 'postfix', config: 'self-signed', box: null, expect: tlsOk(cert('self-signed', 'current')) },
  { server: 'exim', config: 'self-signed', box: null, expect: tlsOk(cert('self-signed', 'current')) },
  { server: 'aiosmtpd', config: 'self-signed', box: null, expect: tlsOk(cert('self-signed', 'current')) },
  // A trusted chain past its notAfter: 'expired', validity 'expired' (the handshake is not refused: we observe).
  { server: 'postfix', config: 'expired', box: null, expect: tlsOk(cert('expired', 'expired')) },
  { server: 'exim', config: 'expired', box: null, expect: tlsOk(cert('expired', 'expired')) },
  { server: 'aiosmtpd', config: 'expired', box: null, expect: tlsOk(cert('expired', 'expired')) },
  // The server allows TLS 1.3 only and the probe offers 1.0–1.3: TLSv1.3 is negotiated.
  { server: 'postfix', config: 'tls13-only', box: null, expect: tlsOk({ ...TRUSTED_CURRENT, tls_version: 'TLSv1.3' }) },
  { server: 'exim', config: 'tls13-only', box: null, expect: tlsOk({ ...TRUSTED_CURRENT, tls_version: 'TLSv1.3' }) },
  {
    server: 'aiosmtpd',
    config: 'tls13-only',
    box: null,
    expect: tlsOk({ ...TRUSTED_CURRENT, tls_version: 'TLSv1.3' }),
  },
  // Not advertised, forced STARTTLS refused (Postfix 502 "not implemented"): no-starttls, no evidence.
  { server: 'postfix', config: 'no-tls', box: null, expect: noStarttls(502) },
  // Same, Exim 503 "used when not advertised".
  { server: 'exim', config: 'no-tls', box: null, expect: noStarttls(503) },
  // Same, aiosmtpd 454 "TLS not available".
  { server: 'aiosmtpd', config: 'no-tls', box: null, expect: noStarttls(454) },
  // FIELD-NOTES §1: Postfix hiding STARTTLS by policy answers 502 5.5.1: a server choosing no TLS, not stripping.
  { server: 'postfix', config: POSTFIX_DISCARD_STARTTLS, box: null, expect: noStarttls(502) },

  // ── Cisco ASA mask: EHLO's STARTTLS → XXXXXXXA, our STARTTLS → XXXXXXXX ──
  // 8-char mask in a clean reply without STARTTLS + Postfix's 500 "not recognized" (no echo) → circumstantial.
  {
    server: 'postfix',
    config: 'starttls',
    box: 'asa-mask',
    expect: stripped('circumstantial', 500, ['masked-ehlo-keyword']),
  },
  // Same with Exim's 500 "unrecognized command" → circumstantial.
  {
    server: 'exim',
    config: 'starttls',
    box: 'asa-mask',
    expect: stripped('circumstantial', 500, ['masked-ehlo-keyword']),
  },
  // aiosmtpd echoes "XXXXXXXX", not what we sent → corrupted-command-echo → direct (the mask is kept too).
  {
    server: 'aiosmtpd',
    config: 'starttls',
    box: 'asa-mask',
    expect: stripped('direct', 500, ['masked-ehlo-keyword', 'corrupted-command-echo']),
  },
  // Nothing to mask, our STARTTLS rewritten, Postfix 500 without an echo: absent and refused → no-starttls.
  { server: 'postfix', config: 'no-tls', box: 'asa-mask', expect: noStarttls(500) },
  // Nothing to mask, but aiosmtpd echoes the rewritten "XXXXXXXX": the command was altered → direct.
  {
    server: 'aiosmtpd',
    config: 'no-tls',
    box: 'asa-mask',
    expect: stripped('direct', 500, ['corrupted-command-echo']),
  },

  // ── A box masking 8BITMIME (another eight-letter keyword), STARTTLS untouched ──
  // A mask beside a genuine STARTTLS: a box, no stripping; the outcome follows TLS.
  {
    server: 'postfix',
    config: 'starttls',
    box: 'mask-other-keyword',
    expect: tlsOk(TRUSTED_CURRENT, ['masked-ehlo-keyword']),
  },
  {
    server: 'aiosmtpd',
    config: 'starttls',
    box: 'mask-other-keyword',
    expect: tlsOk(TRUSTED_CURRENT, ['masked-ehlo-keyword']),
  },
  // 8-char mask, no STARTTLS, but Postfix says 502 "not implemented" (knows the verb, has no TLS) → no evidence.
  { server: 'postfix', config: 'no-tls', box: 'mask-other-keyword', expect: noStarttls(502, ['masked-ehlo-keyword']) },
  // Same with Exim's 503: a refusal, not an unknown command → no evidence.
  { server: 'exim', config: 'no-tls', box: 'mask-other-keyword', expect: noStarttls(503, ['masked-ehlo-keyword']) },
  // Same with aiosmtpd's 454 → no evidence.
  { server: 'aiosmtpd', config: 'no-tls', box: 'mask-other-keyword', expect: noStarttls(454, ['masked-ehlo-keyword']) },

  // ── STARTTLS line deleted from the EHLO reply, the command passes ──
  // Clean EHLO reply without STARTTLS, forced STARTTLS answered 220 → hidden-starttls → direct; TLS fields filled.
  { server: 'postfix', config: 'starttls', box: 'delete-starttls', expect: hiddenStarttls() },
  // Exim accepts: it advertised STARTTLS in this session, the deletion happened on the path.
  { server: 'exim', config: 'starttls', box: 'delete-starttls', expect: hiddenStarttls() },
  { server: 'aiosmtpd', config: 'starttls', box: 'delete-starttls', expect: hiddenStarttls() },
  // Nothing to delete: the server's own no-starttls.
  { server: 'postfix', config: 'no-tls', box: 'delete-starttls', expect: noStarttls(502) },

  // ── STARTTLS line replaced by NOSTARTTLS (not a mask, not the keyword STARTTLS) ──
  // RFC 5321 keywords are whole words: not advertised; accepted when forced → hidden-starttls → direct.
  { server: 'postfix', config: 'starttls', box: 'placeholder-starttls', expect: hiddenStarttls() },
  { server: 'exim', config: 'starttls', box: 'placeholder-starttls', expect: hiddenStarttls() },
  { server: 'aiosmtpd', config: 'starttls', box: 'placeholder-starttls', expect: hiddenStarttls() },

  // ── Our STARTTLS rewritten to XXXXXXXX, the EHLO reply untouched ──
  // Advertised, refused with Postfix's 500 without an echo: nothing proves the rewrite → starttls-refused.
  { server: 'postfix', config: 'starttls', box: 'rewrite-starttls', expect: refused(500) },
  // Same with Exim's 500 "unrecognized command".
  { server: 'exim', config: 'starttls', box: 'rewrite-starttls', expect: refused(500) },
  // aiosmtpd echoes "XXXXXXXX" → corrupted-command-echo → direct, though STARTTLS was advertised.
  {
    server: 'aiosmtpd',
    config: 'starttls',
    box: 'rewrite-starttls',
    expect: { ...stripped('direct', 500, ['corrupted-command-echo']), starttls_advertised: true },
  },
  // Not advertised, and the echo still proves the rewrite → direct.
  {
    server: 'aiosmtpd',
    config: 'no-tls',
    box: 'rewrite-starttls',
    expect: stripped('direct', 500, ['corrupted-command-echo']),
  },

  // ── The box answers STARTTLS with 454 itself ──
  // RFC 3207 §4 allows 454; a refusal quotes nothing → starttls-refused, no evidence.
  { server: 'postfix', config: 'starttls', box: 'answer-454', expect: refused(454) },
  { server: 'exim', config: 'starttls', box: 'answer-454', expect: refused(454) },
  { server: 'aiosmtpd', config: 'starttls', box: 'answer-454', expect: refused(454) },
  // Not advertised and refused → no-starttls.
  { server: 'postfix', config: 'no-tls', box: 'answer-454', expect: noStarttls(454) },

  // ── The box swallows our STARTTLS: no reply before the deadline ──
  // Our deadline passed after the banner, before the exchange was decided → timeout, never starttls-refused.
  {
    server: 'postfix',
    config: 'starttls',
    box: 'swallow-starttls',
    probe: { timeoutMs: 5_000 },
    expect: timedOutAtStarttls(),
  },

  // ── The box resets both connections at the first TLS bytes ──
  // 220 then the handshake failed (reset) → tls-failed, error_stage tls, tls_error ECONNRESET.
  { server: 'postfix', config: 'starttls', box: 'reset-handshake', expect: handshakeReset() },
  { server: 'exim', config: 'starttls', box: 'reset-handshake', expect: handshakeReset() },
  { server: 'aiosmtpd', config: 'starttls', box: 'reset-handshake', expect: handshakeReset() },

  // ── PIX MailGuard: asterisk banner, EHLO → XXXX (HELO fallback), STARTTLS → XXXXXXXX ──
  // HELO reply has no keyword list, Postfix's 500 has no echo: no-starttls; the masked banner alone proves nothing.
  {
    server: 'postfix',
    config: 'starttls',
    box: 'pix-mailguard',
    expect: afterHelo(noStarttls(500, ['masked-banner'])),
  },
  { server: 'exim', config: 'starttls', box: 'pix-mailguard', expect: afterHelo(noStarttls(500, ['masked-banner'])) },
  // aiosmtpd echoes "XXXXXXXX" to our STARTTLS → direct (its echo of "XXXX" to EHLO is no STARTTLS reply).
  {
    server: 'aiosmtpd',
    config: 'starttls',
    box: 'pix-mailguard',
    expect: afterHelo(stripped('direct', 500, ['masked-banner', 'corrupted-command-echo'])),
  },

  // ── Only EHLO masked: a forced HELO fallback ──
  // After HELO nothing was "not advertised": a STARTTLS that works is an ordinary tls-ok, no hidden-starttls.
  { server: 'postfix', config: 'starttls', box: 'mask-ehlo', expect: afterHelo(tlsOk(TRUSTED_CURRENT)) },
  { server: 'aiosmtpd', config: 'starttls', box: 'mask-ehlo', expect: afterHelo(tlsOk(TRUSTED_CURRENT)) },
  // Exim refuses STARTTLS after HELO (503): not advertised and refused → no-starttls.
  { server: 'exim', config: 'starttls', box: 'mask-ehlo', expect: afterHelo(noStarttls(503)) },
];

describe('the probe against real servers and middleboxes', () => {
  const options = (): DriverOptions => ({
    ehloName: EHLO_NAME,
    forceStartTls: true,
    implicitTls: false,
    limits: DEFAULT_LIMITS,
    // Generous: real servers fork workers, and the machine may be busy. Nothing here measures time.
    timeoutMs: 20_000,
    connectTimeoutMs: 10_000,
    tlsContext,
  });
  /** One probe per row, shared by its exchange and certificate checks. */
  const records = new Map<Row, Promise<ScanRecord>>();
  const recordOf = (row: Row): Promise<ScanRecord> => {
    let record = records.get(row);
    if (record === undefined) {
      record = (async () => {
        const { port, done } = await route(row.server, row.config, row.box);
        try {
          return await probeTarget({ ip: '127.0.0.1', port }, { ...options(), ...row.probe });
        } finally {
          await done();
        }
      })();
      records.set(row, record);
    }
    return record;
  };

  for (const row of ROWS) {
    const title = `${row.server} ${row.config}${row.box ? ` behind ${row.box}` : ''} → ${row.expect.outcome}`;
    it(`${title}: the exchange`, async () => {
      const record = await recordOf(row);
      const { tls_version, cert: _cert, ...fields } = row.expect;
      const observed = Object.fromEntries(Object.keys(fields).map((k) => [k, record[k as keyof ScanRecord]]));
      observed.fingerprints = [...record.fingerprints].sort();
      expect(observed, record.transcript).toEqual({ ...fields, fingerprints: [...fields.fingerprints].sort() });
      if (tls_version === ANY_VERSION) expect(record.tls_version, record.transcript).toMatch(/^TLSv1(\.[0-3])?$/);
      else expect(record.tls_version, record.transcript).toBe(tls_version);
    });
    const cert = row.expect.cert;
    if (cert === null) continue;
    it(`${title}: the certificate`, async () => {
      const record = await recordOf(row);
      const { cert_status, cert_validity, cert_name_matches_banner } = record;
      expect({ cert_status, cert_validity, cert_name_matches_banner }, record.transcript).toEqual(cert);
    });
  }
});

type TlsPart = Pick<Expected, 'tls_version' | 'cert'>;

function cert(status: ScanRecord['cert_status'], validity: ScanRecord['cert_validity']): TlsPart {
  return {
    tls_version: ANY_VERSION,
    cert: { cert_status: status, cert_validity: validity, cert_name_matches_banner: true },
  };
}

/** RFC 3207 §4: advertised, 220, handshake completed. */
function tlsOk(tls: TlsPart, fingerprints: Expected['fingerprints'] = []): Expected {
  const base = { starttls_advertised: true, starttls_code: 220, helo_fallback: false } as const;
  return { outcome: 'tls-ok', strip_evidence: null, fingerprints, ...base, ...tls };
}

/** Not advertised, the forced STARTTLS refused with `code`. */
function noStarttls(code: number, fingerprints: Expected['fingerprints'] = []): Expected {
  const base = { starttls_advertised: false, starttls_code: code, helo_fallback: false } as const;
  return { outcome: 'no-starttls', strip_evidence: null, fingerprints, ...base, ...NO_TLS };
}

/** Advertised and refused with `code`, no evidence of a box. */
function refused(code: number): Expected {
  const base = { starttls_advertised: true, starttls_code: code, helo_fallback: false } as const;
  return { outcome: 'starttls-refused', strip_evidence: null, fingerprints: [], ...base, ...NO_TLS };
}

/** Advertised, sent, never answered: our deadline, not the server's refusal. */
function timedOutAtStarttls(): Expected {
  const base = { starttls_advertised: true, starttls_code: null, helo_fallback: false } as const;
  return {
    outcome: 'timeout',
    strip_evidence: null,
    fingerprints: [],
    ...base,
    ...NO_TLS,
    error_stage: 'starttls',
    error: 'timeout',
  };
}

/** Stripping proven from the plaintext exchange: STARTTLS refused as unknown, no handshake. */
function stripped(
  evidence: NonNullable<ScanRecord['strip_evidence']>,
  code: number,
  fingerprints: Expected['fingerprints'],
): Expected {
  const base = { starttls_advertised: false, starttls_code: code, helo_fallback: false } as const;
  return { outcome: 'starttls-stripped', strip_evidence: evidence, fingerprints, ...base, ...NO_TLS };
}

/** STARTTLS absent from a clean EHLO reply yet accepted: direct evidence that outranks the TLS result. */
function hiddenStarttls(): Expected {
  const base = { starttls_advertised: false, starttls_code: 220, helo_fallback: false } as const;
  return {
    outcome: 'starttls-stripped',
    strip_evidence: 'direct',
    fingerprints: ['hidden-starttls'],
    ...base,
    ...TRUSTED_CURRENT,
  };
}

/** 220, then the connection reset during the handshake. */
function handshakeReset(): Expected {
  const base = { starttls_advertised: true, starttls_code: 220, helo_fallback: false } as const;
  return {
    outcome: 'tls-failed',
    strip_evidence: null,
    fingerprints: [],
    ...base,
    ...NO_TLS,
    error_stage: 'tls',
    tls_error: 'ECONNRESET',
  };
}

/** The same expectation after a HELO fallback: nothing can have been advertised. */
function afterHelo(e: Expected): Expected {
  return { ...e, helo_fallback: true, starttls_advertised: false };
}
