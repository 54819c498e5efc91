/**
 * Scripted server sessions with the commands and record fields the machine
 * must produce. Replies are modelled on real servers (Postfix, Sendmail
 * behind a Cisco ASA, PIX MailGuard) and on the hostile cases the probe must
 * survive; see docs/classification.md for why each outcome is right.
 */
import type { ProbeResult, TlsFacts } from '../../../src/probe/smtp/index.js';
import { EHLO_NAME, type Session } from './replay.js';

export const EHLO = `EHLO ${EHLO_NAME}\r\n`;
export const HELO = `HELO ${EHLO_NAME}\r\n`;
export const STARTTLS = 'STARTTLS\r\n';
export const QUIT = 'QUIT\r\n';

export const TLS13: TlsFacts = {
  version: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  cert: {
    sha256: 'ab'.repeat(32),
    status: 'valid',
    validity: 'current',
    subject: 'CN=mail.example.com, O=Example',
    issuer: 'CN=Example Test CA',
    sans: ['mail.example.com', '192.0.2.25'],
    not_before: '2025-01-01T00:00:00.000Z',
    not_after: '2026-01-01T00:00:00.000Z',
    key_type: 'ec',
    key_bits: 256,
    chain_len: 2,
    // The machine only asks; what a certificate covers is OpenSSL's answer (test/probe/cert-names.test.ts).
    covers: (name) => name === 'mail.example.com' || name === '192.0.2.25',
  },
};

export const POSTFIX_BANNER = '220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n';
export const POSTFIX_EHLO =
  '250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n' +
  '250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 CHUNKING\r\n';
export const POST_TLS_EHLO = '250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 CHUNKING\r\n';
export const CISCO_EHLO =
  '250-mx.corp.example Hello scanner.example.net [192.0.2.7], pleased to meet you\r\n' +
  '250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250-ETRN\r\n' +
  '250-XXXXXXXA\r\n250-DELIVERBY\r\n250 HELP\r\n';
const PLAIN_EHLO = '250-mail.example.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n';

export interface TranscriptCase {
  name: string;
  session: Session;
  sent: string[];
  expect: Partial<ProbeResult>;
  /** Lines the transcript must hold, in this order (not necessarily adjacent). */
  transcript?: string[];
}

const tlsEstablished = { type: 'tls-established', tls: TLS13 } as const;

export const CASES: TranscriptCase[] = [
  {
    name: 'Postfix: STARTTLS advertised, handshake, EHLO inside TLS',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 2.0.0 Ready to start TLS\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: POST_TLS_EHLO },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO, QUIT],
    expect: {
      outcome: 'tls-ok',
      fingerprints: [],
      error_stage: null,
      error: null,
      banner: 'mail.example.com ESMTP Postfix (Debian/GNU)',
      banner_code: 220,
      ehlo_code: 250,
      ehlo_keywords: [
        'PIPELINING',
        'SIZE 10240000',
        'VRFY',
        'ETRN',
        'STARTTLS',
        'ENHANCEDSTATUSCODES',
        '8BITMIME',
        'DSN',
        'CHUNKING',
      ],
      helo_fallback: false,
      starttls_advertised: true,
      starttls_sent: true,
      starttls_code: 220,
      starttls_reply: '2.0.0 Ready to start TLS',
      implicit_tls: false,
      tls_version: 'TLSv1.3',
      tls_cipher: 'TLS_AES_256_GCM_SHA384',
      tls_error: null,
      cert_sha256: 'ab'.repeat(32),
      cert_status: 'valid',
      cert_subject: 'CN=mail.example.com, O=Example',
      cert_sans: ['mail.example.com', '192.0.2.25'],
      cert_key_type: 'ec',
      cert_key_bits: 256,
      cert_chain_len: 2,
      cert_name_matches_banner: true,
      post_tls_ehlo_code: 250,
      post_tls_ehlo_keywords: ['PIPELINING', 'SIZE 10240000', 'CHUNKING'],
    },
    transcript: [
      'S: 220 mail.example.com ESMTP Postfix (Debian/GNU)',
      `C: EHLO ${EHLO_NAME}`,
      'S: 250-STARTTLS',
      'C: STARTTLS',
      'S: 220 2.0.0 Ready to start TLS',
      'TLS: TLSv1.3 TLS_AES_256_GCM_SHA384',
      `C: EHLO ${EHLO_NAME}`,
      'S: 250 CHUNKING',
      'C: QUIT',
    ],
  },
  {
    name: 'multi-line banner, no STARTTLS, not forced',
    session: {
      steps: [
        { on: 'connect', server: '220-mail.example.com ESMTP\r\n220-Unauthorised use prohibited\r\n220 Go ahead\r\n' },
        { on: 'EHLO', server: PLAIN_EHLO },
      ],
    },
    sent: [EHLO, QUIT],
    expect: {
      outcome: 'no-starttls',
      fingerprints: [],
      error_stage: null,
      error: null,
      banner: 'mail.example.com ESMTP\nUnauthorised use prohibited\nGo ahead',
      banner_code: 220,
      ehlo_keywords: ['PIPELINING', '8BITMIME'],
      starttls_sent: false,
      starttls_code: null,
      tls_version: null,
      cert_name_matches_banner: null,
    },
  },
  {
    name: 'Cisco ASA: masked 250-XXXXXXXA, forced STARTTLS echoed as XXXXXXXX',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: '220 mx.corp.example ESMTP Sendmail 8.14.4; Mon, 3 Nov 2014 10:00:00 GMT\r\n' },
        { on: 'EHLO', server: CISCO_EHLO },
        { on: 'STARTTLS', server: '500 5.5.1 Command unrecognized: "XXXXXXXX"\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS, QUIT],
    expect: {
      outcome: 'starttls-stripped',
      fingerprints: ['masked-ehlo-keyword', 'corrupted-command-echo'],
      error_stage: 'starttls',
      error: 'corrupted-command-echo: XXXXXXXX',
      starttls_advertised: false,
      starttls_sent: true,
      starttls_code: 500,
      starttls_reply: '5.5.1 Command unrecognized: "XXXXXXXX"',
      tls_version: null,
    },
  },
  {
    // Issue 10: a mask proves an inspecting box, not a stripped STARTTLS (it masks every extension it does not
    // allow; CHUNKING, SMTPUTF8, 8BITMIME, XFORWARD are eight letters too). Not forced: nothing about STARTTLS
    // itself was observed, so the fingerprint stays and the outcome is the plain one.
    name: 'Cisco ASA: masked keyword, not forced: a box is noted, nobody is accused',
    session: {
      steps: [
        { on: 'connect', server: '220 mx.corp.example ESMTP\r\n' },
        { on: 'EHLO', server: CISCO_EHLO },
      ],
    },
    sent: [EHLO, QUIT],
    expect: {
      outcome: 'no-starttls',
      fingerprints: ['masked-ehlo-keyword'],
      strip_evidence: null,
      error_stage: null,
      starttls_sent: false,
    },
  },
  {
    name: 'masked keyword beside a genuine STARTTLS: middlebox noted, TLS decides',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: '250-mail.example.com\r\n250-XXXA\r\n250-STARTTLS\r\n250 8BITMIME\r\n' },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: POST_TLS_EHLO },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO, QUIT],
    expect: { outcome: 'tls-ok', fingerprints: ['masked-ehlo-keyword'], error_stage: null, starttls_advertised: true },
  },
  {
    name: 'PIX MailGuard masked banner, STARTTLS works',
    session: {
      steps: [
        { on: 'connect', server: '220 ******************************2*******0**********\r\n' },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: POST_TLS_EHLO },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO, QUIT],
    expect: {
      outcome: 'tls-ok',
      fingerprints: ['masked-banner'],
      banner: '******************************2*******0**********',
      // A masked banner names no host.
      cert_name_matches_banner: null,
    },
  },
  {
    name: 'hidden STARTTLS: not advertised, forced, accepted',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: PLAIN_EHLO },
        { on: 'STARTTLS', server: '220 2.0.0 Ready to start TLS\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: POST_TLS_EHLO },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO, QUIT],
    expect: {
      outcome: 'starttls-stripped',
      fingerprints: ['hidden-starttls'],
      error_stage: 'starttls',
      error: 'hidden-starttls',
      starttls_advertised: false,
      starttls_code: 220,
      tls_version: 'TLSv1.3',
      post_tls_ehlo_code: 250,
    },
  },
  {
    name: 'hidden STARTTLS whose handshake fails: still stripped, stage tls',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: PLAIN_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: { type: 'tls-failed', error: 'ECONNRESET' } },
      ],
    },
    sent: [EHLO, STARTTLS],
    expect: {
      outcome: 'starttls-stripped',
      fingerprints: ['hidden-starttls'],
      error_stage: 'tls',
      error: 'ECONNRESET',
      tls_error: 'ECONNRESET',
    },
  },
  {
    name: 'STARTTLS advertised and refused with 454',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '454 4.7.0 TLS not available due to local problem\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS, QUIT],
    expect: {
      outcome: 'starttls-refused',
      fingerprints: [],
      error_stage: 'starttls',
      error: 'starttls-rejected: 454',
      starttls_code: 454,
      starttls_reply: '4.7.0 TLS not available due to local problem',
    },
  },
  {
    name: 'not advertised, forced, 502 without echo: no-starttls',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: PLAIN_EHLO },
        { on: 'STARTTLS', server: '502 5.5.2 Error: command not recognized\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS, QUIT],
    expect: { outcome: 'no-starttls', fingerprints: [], error_stage: null, error: null, starttls_code: 502 },
  },
  {
    name: 'EHLO refused, HELO accepted, forced STARTTLS refused',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: '220 old.example.org SMTP ready\r\n' },
        { on: 'EHLO', server: '502 5.5.2 Error: command not recognized\r\n' },
        { on: 'HELO', server: '250 old.example.org\r\n' },
        { on: 'STARTTLS', server: '502 5.5.2 Error: command not recognized\r\n' },
      ],
    },
    sent: [EHLO, HELO, STARTTLS, QUIT],
    expect: {
      outcome: 'no-starttls',
      helo_fallback: true,
      ehlo_code: 250,
      ehlo_keywords: [],
      starttls_advertised: false,
      error_stage: null,
    },
  },
  {
    name: 'EHLO and HELO refused',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: '550 5.7.1 Go away\r\n' },
        { on: 'HELO', server: '550-5.7.1 Go away\r\n550 5.7.1 Really\r\n' },
      ],
    },
    sent: [EHLO, HELO, QUIT],
    expect: {
      outcome: 'ehlo-failed',
      error_stage: 'ehlo',
      error: 'ehlo-rejected: 550',
      helo_fallback: true,
      ehlo_code: 550,
    },
  },
  {
    name: 'banner 554: smtp-rejected',
    session: { steps: [{ on: 'connect', server: '554 5.7.1 mail.example.com No SMTP service here\r\n' }] },
    sent: [QUIT],
    expect: {
      outcome: 'smtp-rejected',
      error_stage: 'banner',
      error: 'banner-rejected: 554',
      banner_code: 554,
      banner: '5.7.1 mail.example.com No SMTP service here',
    },
  },
  {
    name: 'not-smtp: SSH banner',
    session: { steps: [{ on: 'connect', server: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n' }] },
    sent: [],
    expect: {
      outcome: 'not-smtp',
      error_stage: 'banner',
      error: 'not-smtp',
      banner: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13',
      banner_code: null,
    },
  },
  {
    name: 'not-smtp: HTTP status line',
    session: { steps: [{ on: 'connect', server: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' }] },
    sent: [],
    expect: { outcome: 'not-smtp', banner: 'HTTP/1.1 400 Bad Request' },
  },
  {
    name: 'not-smtp: digits, then no separator (2200 …)',
    session: { steps: [{ on: 'connect', server: '2200 nope\r\n' }] },
    sent: [],
    expect: { outcome: 'not-smtp', banner: '2200 nope' },
  },
  {
    name: 'not-smtp: TLS record bytes, binary, decided at the evidence cap without a newline',
    session: {
      steps: [{ on: 'connect', server: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + '\xaa'.repeat(200) }],
    },
    sent: [],
    expect: {
      outcome: 'not-smtp',
      banner: '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03' + '\\xaa'.repeat(117),
    },
  },
  {
    name: 'not-smtp: short binary, then the server closes',
    session: { steps: [{ on: 'connect', server: '\x00\x01binary', event: { type: 'closed' } }] },
    sent: [],
    expect: { outcome: 'not-smtp', error: 'not-smtp', banner: '\\x00\\x01binary' },
  },
  {
    name: 'early talker: bytes right behind the banner are not taken as the EHLO reply',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER, tail: '250 fake ok\r\n250 ' },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '454 4.7.0 TLS not available\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS, QUIT],
    expect: { outcome: 'starttls-refused', starttls_advertised: true, ehlo_keywords: postfixEhloKeywords() },
    transcript: [
      'S: 220 mail.example.com ESMTP Postfix (Debian/GNU)',
      'S(unsolicited): 250 fake ok',
      'S(unsolicited): 250 ',
      `C: EHLO ${EHLO_NAME}`,
      'S: 250-mail.example.com',
    ],
  },
  {
    // Issue 10: bytes after STARTTLS's 220 give the same record however TCP splits them. Every chunking of
    // this one step (the 220 alone, or with part of the plaintext) must fail the handshake the same way.
    name: 'plaintext behind STARTTLS 220 fails the handshake and never reaches TLS, however it is cut',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n250 injected\r\nMAIL FROM:<a@example.org>\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS],
    expect: {
      outcome: 'tls-failed',
      fingerprints: [],
      error_stage: 'tls',
      error: 'plaintext-after-starttls',
      tls_error: 'plaintext-after-starttls',
      starttls_code: 220,
    },
    transcript: ['S: 220 Ready', 'S(plaintext): 250 injected', 'TLS failed: plaintext-after-starttls'],
  },
  {
    name: 'NUL, invalid UTF-8 and multibyte UTF-8 in the banner are escaped, not fatal',
    session: {
      steps: [
        { on: 'connect', server: '220 mail.example.com ESMTP caf\xc3\xa9 \x00 \xff\xfe \\ bell\x07\r\n' },
        { on: 'EHLO', server: PLAIN_EHLO },
      ],
    },
    sent: [EHLO, QUIT],
    expect: {
      outcome: 'no-starttls',
      banner: 'mail.example.com ESMTP café \\x00 \\xff\\xfe \\\\ bell\\x07',
    },
    transcript: ['S: 220 mail.example.com ESMTP café \\x00 \\xff\\xfe \\\\ bell\\x07'],
  },
  {
    name: 'bare LF line endings are accepted',
    session: {
      steps: [
        { on: 'connect', server: '220 mail.example.com ESMTP\n' },
        { on: 'EHLO', server: '250-mail.example.com\n250 STARTTLS\n' },
        { on: 'STARTTLS', server: '454 no\n' },
      ],
    },
    sent: [EHLO, STARTTLS, QUIT],
    expect: { outcome: 'starttls-refused', ehlo_keywords: ['STARTTLS'] },
  },
  {
    name: '1000-line EHLO reply: reply-too-large at the ehlo stage, no QUIT',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        {
          on: 'EHLO',
          server: Array.from({ length: 999 }, (_, i) => `250-KEYWORD${i}\r\n`).join('') + '250 LAST\r\n',
        },
      ],
    },
    sent: [EHLO],
    expect: { outcome: 'ehlo-failed', error_stage: 'ehlo', error: 'reply-too-large: more than 200 lines' },
  },
  {
    name: 'EHLO reply with mixed codes: malformed, ehlo-failed',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: '250-mail.example.com\r\n251 STARTTLS\r\n' },
      ],
    },
    sent: [EHLO],
    expect: { outcome: 'ehlo-failed', error_stage: 'ehlo', error: 'malformed-reply: 251 STARTTLS' },
  },
  {
    name: 'tls-failed after an advertised STARTTLS',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: { type: 'tls-failed', error: 'alert-handshake-failure' } },
      ],
    },
    sent: [EHLO, STARTTLS],
    expect: {
      outcome: 'tls-failed',
      error_stage: 'tls',
      error: 'alert-handshake-failure',
      tls_error: 'alert-handshake-failure',
      tls_version: null,
      cert_name_matches_banner: null,
    },
  },
  {
    name: 'post-tls failure keeps tls-ok',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: '250-mail.exa', event: { type: 'socket-error', code: 'ECONNRESET' } },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO],
    expect: { outcome: 'tls-ok', error_stage: 'post-tls', error: 'ECONNRESET', post_tls_ehlo_code: null },
  },
  {
    name: 'post-tls EHLO rejected: tls-ok, post-tls error, QUIT',
    session: {
      steps: [
        { on: 'connect', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
        { on: 'STARTTLS', server: '220 Ready\r\n' },
        { on: 'start-tls', event: tlsEstablished },
        { on: 'EHLO', server: '554 no\r\n' },
      ],
    },
    sent: [EHLO, STARTTLS, EHLO, QUIT],
    expect: {
      outcome: 'tls-ok',
      error_stage: 'post-tls',
      error: 'post-tls-ehlo-rejected: 554',
      post_tls_ehlo_code: 554,
    },
  },
  {
    name: 'implicit TLS (port 465): handshake first, then banner and EHLO inside TLS',
    session: {
      options: { implicitTls: true, forceStartTls: true },
      steps: [
        { on: 'start-tls', event: tlsEstablished },
        { on: 'start-tls', server: POSTFIX_BANNER },
        { on: 'EHLO', server: POSTFIX_EHLO },
      ],
    },
    sent: [EHLO, QUIT],
    expect: {
      outcome: 'tls-ok',
      error_stage: null,
      implicit_tls: true,
      starttls_sent: false,
      starttls_advertised: true,
      tls_version: 'TLSv1.3',
      cert_name_matches_banner: true,
      post_tls_ehlo_code: null,
    },
  },
  {
    name: 'implicit TLS handshake fails',
    session: {
      options: { implicitTls: true },
      steps: [{ on: 'start-tls', event: { type: 'tls-failed', error: 'wrong-version-number' } }],
    },
    sent: [],
    expect: { outcome: 'tls-failed', error_stage: 'tls', tls_error: 'wrong-version-number', implicit_tls: true },
  },
  {
    // The forced STARTTLS drew no unknown-command reply (the connection closed): the circumstantial rule needs
    // one, so the mask stays a fingerprint and STARTTLS, never advertised, was simply not obtained.
    name: 'masked keyword, forced STARTTLS, connection closed: no evidence about STARTTLS, no-starttls',
    session: {
      options: { forceStartTls: true },
      steps: [
        { on: 'connect', server: '220 mx.corp.example ESMTP\r\n' },
        { on: 'EHLO', server: CISCO_EHLO },
        { on: 'STARTTLS', event: { type: 'closed' } },
      ],
    },
    sent: [EHLO, STARTTLS],
    expect: {
      outcome: 'no-starttls',
      strip_evidence: null,
      error_stage: 'starttls',
      error: 'closed',
      fingerprints: ['masked-ehlo-keyword'],
    },
  },
];

function postfixEhloKeywords(): string[] {
  return POSTFIX_EHLO.split('\r\n')
    .slice(1, -1)
    .map((line) => line.slice(4));
}

/** The Postfix session cut short after `steps` steps, ended by `event`: used for the every-stage failure table. */
export function postfixCutShort(steps: number, partial: string, event: Session['steps'][number]['event']): Session {
  const full = CASES[0]?.session.steps ?? [];
  const kept = full.slice(0, steps);
  const next = full[steps];
  return { steps: [...kept, { on: next?.on ?? 'connect', server: partial || undefined, event }] };
}
