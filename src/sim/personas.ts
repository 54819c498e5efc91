/**
 * The persona table: every behaviour the simulated fleet can show, and what a
 * correct scanner records against it. Expectations follow the classification
 * rules in docs/classification.md (the probe's classifier); when the two
 * disagree, one of them is wrong and the fleet's tests say which field.
 *
 * Reading an entry: `fields` are for a scanner that forces STARTTLS (sends it
 * even when not advertised); `unforced` overrides them for one that does not;
 * `handshake` adds the TLS/certificate fields of `server.tls`; `implicit` is
 * what the implicit-TLS port yields (null: that port closes at once).
 */
import { SIM_HOST } from './certificates.js';
import type { ExpectedRecord, Persona, ServerBehaviour } from './persona.js';
import {
  BANNER_POSTFIX,
  ECHO_CORRUPTED,
  EHLO_ALL_X,
  EHLO_ASA_MASKED,
  EHLO_MASKED_BESIDE_STARTTLS,
  EHLO_OVERSIZED,
  EHLO_WITH_STARTTLS,
  EHLO_WITHOUT_STARTTLS,
  HELO_OK,
  NOT_RECOGNIZED,
  STARTTLS_READY,
  STARTTLS_TEMP_FAIL,
} from './replies.js';

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

function server(overrides: Partial<ServerBehaviour>): ServerBehaviour {
  return {
    greeting: ascii(BANNER_POSTFIX),
    greetingStyle: 'at-once',
    replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_READY },
    defaultReply: NOT_RECOGNIZED,
    afterStartTls: 'handshake',
    insideTls: 'serve',
    closeOnFirstLine: false,
    tls: 'ecdsa',
    ...overrides,
  };
}

const POSTFIX_BANNER_TEXT = `${SIM_HOST} ESMTP Postfix (Debian/GNU)`;

/** A complete, clean STARTTLS session: the fields every TLS-ok persona shares. */
const TLS_OK: ExpectedRecord = {
  outcome: 'tls-ok',
  fingerprints: [],
  error_stage: null,
  banner_code: 220,
  ehlo_code: 250,
  helo_fallback: false,
  starttls_advertised: true,
  starttls_sent: true,
  starttls_code: 220,
  implicit_tls: false,
  cert_name_matches_banner: true,
  post_tls_ehlo_code: 250,
};

/** Implicit TLS: no STARTTLS at all; the EHLO reply inside TLS advertises none. */
const IMPLICIT_OK: ExpectedRecord = {
  outcome: 'tls-ok',
  fingerprints: [],
  error_stage: null,
  banner_code: 220,
  ehlo_code: 250,
  helo_fallback: false,
  starttls_advertised: false,
  starttls_sent: false,
  starttls_code: null,
  implicit_tls: true,
  cert_name_matches_banner: true,
};

/** Plaintext sessions that end before any TLS. */
const PLAIN: ExpectedRecord = { implicit_tls: false, helo_fallback: false };

function tlsOk(name: string, description: string, behaviour: Partial<ServerBehaviour>, extra: ExpectedRecord = {}) {
  return {
    name,
    description,
    server: server(behaviour),
    expect: { fields: { ...TLS_OK, ...extra }, handshake: true, implicit: { ...IMPLICIT_OK, ...extra } },
  } satisfies Persona;
}

export const PERSONAS: readonly Persona[] = [
  tlsOk(
    'postfix-tls-ok',
    'Postfix-like server, ECDSA P-256 certificate from the sim CA naming the banner host',
    {},
    {
      banner: POSTFIX_BANNER_TEXT,
    },
  ),
  tlsOk(
    'rsa-tls-ok',
    'Exchange-like banner, RSA-2048 certificate from the sim CA',
    { tls: 'rsa', greeting: ascii(`220 ${SIM_HOST} Microsoft ESMTP MAIL Service ready\r\n`) },
    { banner: `${SIM_HOST} Microsoft ESMTP MAIL Service ready` },
  ),
  tlsOk('cert-expired', 'Valid chain, certificate expired 30 days ago', { tls: 'expired' }),
  tlsOk('cert-not-yet-valid', 'Valid chain, certificate valid from 30 days in the future', { tls: 'not-yet-valid' }),
  tlsOk('cert-self-signed', 'Self-signed leaf certificate naming the banner host', { tls: 'self-signed' }),
  tlsOk(
    'cert-wrong-name',
    'Valid chain, but the certificate names another host than the banner',
    { tls: 'wrong-name' },
    { cert_name_matches_banner: false },
  ),
  tlsOk('tls10-only', 'Only TLS 1.0 offered (old appliance); the scanner must allow it to see it', {
    tls: 'ecdsa-tls10',
  }),
  tlsOk(
    'multiline-banner',
    'Sendmail-like three-line banner (220- continuation lines)',
    {
      greeting: ascii(
        `220-${SIM_HOST} ESMTP Sendmail 8.17.1\r\n220-This system is for authorised use only.\r\n220 All activity is logged.\r\n`,
      ),
    },
    { banner: `${SIM_HOST} ESMTP Sendmail 8.17.1\nThis system is for authorised use only.\nAll activity is logged.` },
  ),
  {
    name: 'cisco-asa-masked',
    description: "Cisco ASA ESMTP inspection: 250-XXXXXXXA instead of STARTTLS; forced STARTTLS echoed as X's",
    server: server({ replies: { EHLO: EHLO_ASA_MASKED, HELO: HELO_OK, STARTTLS: ECHO_CORRUPTED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['masked-ehlo-keyword', 'corrupted-command-echo'],
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 500,
        tls_version: null,
        cert_sha256: null,
      },
      unforced: { fingerprints: ['masked-ehlo-keyword'], starttls_sent: false, starttls_code: null },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'cisco-masked-all-x',
    description: 'STARTTLS keyword masked as 250 XXXXXXXX (all X); forced STARTTLS refused without an echo',
    server: server({ replies: { EHLO: EHLO_ALL_X, HELO: HELO_OK, STARTTLS: NOT_RECOGNIZED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['masked-ehlo-keyword'],
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 502,
        tls_version: null,
      },
      unforced: { starttls_sent: false, starttls_code: null },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'masked-beside-starttls',
    description: 'A middlebox masked another keyword (250-XXXB) and left 250-STARTTLS: present, not stripping',
    server: server({ replies: { EHLO: EHLO_MASKED_BESIDE_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_READY } }),
    expect: { fields: { ...TLS_OK, fingerprints: ['masked-ehlo-keyword'] }, handshake: true, implicit: null },
  },
  tlsOk(
    'pix-masked-banner',
    'Cisco PIX MailGuard: banner text replaced by asterisks except 2 and 0; STARTTLS works',
    { greeting: ascii('220 ******************************2*******0**********\r\n') },
    {
      fingerprints: ['masked-banner'],
      banner: '******************************2*******0**********',
      cert_name_matches_banner: null,
    },
  ),
  {
    name: 'hidden-starttls',
    description: 'STARTTLS not advertised (deleted from the list) yet accepted with 220 when sent anyway',
    server: server({ replies: { EHLO: EHLO_WITHOUT_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_READY } }),
    expect: {
      fields: {
        ...TLS_OK,
        outcome: 'starttls-stripped',
        fingerprints: ['hidden-starttls'],
        error_stage: 'starttls',
        starttls_advertised: false,
      },
      unforced: {
        outcome: 'no-starttls',
        fingerprints: [],
        error_stage: null,
        starttls_sent: false,
        starttls_code: null,
        cert_name_matches_banner: null,
        post_tls_ehlo_code: null,
      },
      handshake: true,
      unforcedHandshake: false,
      implicit: null,
    },
  },
  {
    name: 'command-echo-corrupted',
    description: 'STARTTLS advertised, but the command arrives as XXXXXXXX: Sendmail echoes what it received',
    server: server({ replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: ECHO_CORRUPTED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['corrupted-command-echo'],
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: true,
        starttls_sent: true,
        starttls_code: 500,
        tls_version: null,
      },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'starttls-refused',
    description: 'STARTTLS advertised, answered 454 4.7.0 TLS not available',
    server: server({ replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_TEMP_FAIL } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-refused',
        fingerprints: [],
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: true,
        starttls_sent: true,
        starttls_code: 454,
        tls_version: null,
      },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'no-starttls',
    description: 'No STARTTLS advertised; STARTTLS answered 502 command not recognized',
    server: server({ replies: { EHLO: EHLO_WITHOUT_STARTTLS, HELO: HELO_OK } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-starttls',
        fingerprints: [],
        error_stage: null,
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 502,
        tls_version: null,
      },
      unforced: { starttls_sent: false, starttls_code: null },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'ehlo-refused-helo-ok',
    description: 'EHLO answered 502, HELO accepted; no STARTTLS (502 when forced)',
    server: server({ replies: { EHLO: NOT_RECOGNIZED, HELO: HELO_OK, STARTTLS: NOT_RECOGNIZED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-starttls',
        fingerprints: [],
        error_stage: null,
        banner_code: 220,
        ehlo_code: 250,
        helo_fallback: true,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 502,
        tls_version: null,
      },
      unforced: { starttls_sent: false, starttls_code: null },
      handshake: false,
      implicit: null,
    },
  },
  {
    name: 'ehlo-helo-refused',
    description: 'EHLO and HELO both answered 502',
    server: server({ replies: { EHLO: NOT_RECOGNIZED, HELO: NOT_RECOGNIZED, STARTTLS: NOT_RECOGNIZED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'ehlo-failed',
        fingerprints: [],
        error_stage: 'ehlo',
        banner_code: 220,
        helo_fallback: true,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: {
        outcome: 'ehlo-failed',
        fingerprints: [],
        error_stage: 'ehlo',
        banner_code: 220,
        helo_fallback: true,
        starttls_sent: false,
        implicit_tls: true,
      },
    },
  },
  {
    name: 'smtp-rejected',
    description: 'Banner 554: the server refuses this client',
    server: server({
      greeting: ascii(`554 ${SIM_HOST} ESMTP not accepting messages\r\n`),
      replies: {},
      defaultReply: '503 5.5.1 Error: not accepting commands\r\n',
    }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'smtp-rejected',
        fingerprints: [],
        error_stage: 'banner',
        banner: `${SIM_HOST} ESMTP not accepting messages`,
        banner_code: 554,
        ehlo_code: null,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: {
        outcome: 'smtp-rejected',
        fingerprints: [],
        error_stage: 'banner',
        banner_code: 554,
        starttls_sent: false,
        implicit_tls: true,
      },
    },
  },
  {
    name: 'not-smtp-ssh',
    description: 'An SSH server on the mail port',
    server: server({ greeting: ascii('SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n'), closeOnFirstLine: true }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'not-smtp',
        fingerprints: [],
        error_stage: 'banner',
        banner: 'SSH-2.0-OpenSSH_9.6p1 Debian-3',
        banner_code: null,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: { outcome: 'not-smtp', fingerprints: [], error_stage: 'banner', banner_code: null, implicit_tls: true },
    },
  },
  {
    name: 'no-banner',
    description: 'Accepts the connection and says nothing; closes after 60 s',
    server: server({ greetingStyle: 'silent' }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-banner',
        fingerprints: [],
        error_stage: 'banner',
        banner_code: null,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: {
        outcome: 'no-banner',
        fingerprints: [],
        error_stage: 'banner',
        banner_code: null,
        implicit_tls: true,
      },
    },
  },
  {
    name: 'mid-banner-reset',
    description: 'Sends half a banner line, then resets the connection (RST)',
    server: server({ greetingStyle: 'reset-midway' }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-banner',
        fingerprints: [],
        error_stage: 'banner',
        banner_code: null,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: {
        outcome: 'no-banner',
        fingerprints: [],
        error_stage: 'banner',
        banner_code: null,
        implicit_tls: true,
      },
    },
  },
  {
    name: 'tls-failed',
    description: 'STARTTLS advertised and answered 220, then bytes that are not TLS, then close',
    server: server({ afterStartTls: 'garbage' }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'tls-failed',
        fingerprints: [],
        error_stage: 'tls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: true,
        starttls_sent: true,
        starttls_code: 220,
        tls_version: null,
        cert_sha256: null,
      },
      handshake: false,
      implicit: {
        outcome: 'tls-failed',
        fingerprints: [],
        error_stage: 'tls',
        implicit_tls: true,
        banner_code: null,
        tls_version: null,
      },
    },
  },
  {
    name: 'post-tls-failure',
    description: 'TLS handshake completes, then the server closes on the EHLO inside TLS',
    server: server({ insideTls: 'close-on-ehlo' }),
    expect: {
      fields: { ...TLS_OK, error_stage: 'post-tls', post_tls_ehlo_code: null },
      handshake: true,
      implicit: null,
    },
  },
  tlsOk('slow-drip', 'Banner sent one byte every 10 ms; the session then completes', {
    greeting: ascii(`220 ${SIM_HOST} ESMTP slow\r\n`),
    greetingStyle: 'drip',
  }),
  {
    name: 'oversized-ehlo',
    description: 'EHLO answered with 1,000 lines: the scanner must stop reading (reply-too-large)',
    server: server({ replies: { EHLO: EHLO_OVERSIZED, HELO: HELO_OK, STARTTLS: STARTTLS_READY } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'ehlo-failed',
        fingerprints: [],
        error_stage: 'ehlo',
        banner_code: 220,
        starttls_sent: false,
        tls_version: null,
      },
      handshake: false,
      implicit: {
        outcome: 'ehlo-failed',
        fingerprints: [],
        error_stage: 'ehlo',
        banner_code: 220,
        starttls_sent: false,
        implicit_tls: true,
      },
    },
  },
  tlsOk('early-talker', 'Sends two extra reply lines right after the banner, before EHLO; then a normal session', {
    // One write with the banner, so the lines arrive before the client can have sent EHLO.
    greeting: ascii(`${BANNER_POSTFIX}250-unsolicited line before EHLO\r\n250 another one\r\n`),
  }),
  tlsOk('nul-invalid-utf8-banner', 'Banner with a NUL byte, invalid UTF-8 (FF FE) and valid UTF-8 (é)', {
    greeting: Buffer.concat([
      ascii(`220 ${SIM_HOST} ESMTP `),
      Buffer.from([0x00, 0x20, 0xff, 0xfe, 0x20]),
      Buffer.from('café\r\n', 'utf8'),
    ]),
  }),
  tlsOk(
    'script-banner',
    'Banner text carrying <script>alert(1)</script>, for HTML escaping tests',
    { greeting: ascii(`220 ${SIM_HOST} ESMTP <script>alert(1)</script>\r\n`) },
    { banner: `${SIM_HOST} ESMTP <script>alert(1)</script>` },
  ),
];

const BY_NAME = new Map(PERSONAS.map((p) => [p.name, p]));

export function personaByName(name: string): Persona | undefined {
  return BY_NAME.get(name);
}
