/**
 * The persona table: every behaviour the simulated fleet can show, and what a
 * correct scanner records against it.
 *
 * The expectations are derived from the protocol and the evidence rules of
 * issue 10, not from the probe's classifier: each persona says, next to its
 * expectation, which RFC clause or rule gives that record (RFC 3207 for
 * STARTTLS, RFC 5321 for replies and keywords, RFC 5280/6125 for
 * certificates, FIELD-NOTES §1 for what middleboxes do). When the probe and
 * this table disagree, the tests name the field and one of them is wrong.
 *
 * The rules the expectations apply, in short (docs/classification.md has
 * them in full): a mask proves a box, not a stripped STARTTLS; stripping is
 * called on direct evidence (an altered echo of our STARTTLS, or STARTTLS
 * hidden from a clean EHLO reply yet accepted) or circumstantial evidence (a
 * STARTTLS-length mask in a clean reply without STARTTLS, and the forced
 * STARTTLS answered as an unknown command); a deadline after the banner is
 * `timeout`, never a server's answer; cert_status judges trust first.
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
  EHLO_SHORT_MASK,
  EHLO_WITH_STARTTLS,
  EHLO_WITHOUT_STARTTLS,
  HELO_OK,
  NOT_IMPLEMENTED,
  NOT_RECOGNIZED,
  SILENT,
  STARTTLS_DISABLED_QUOTED,
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
  strip_evidence: null,
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
  strip_evidence: null,
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
const PLAIN: ExpectedRecord = { implicit_tls: false, helo_fallback: false, strip_evidence: null };

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
  // RFC 5280 §6: no path to a trust anchor, whatever the dates: cert_status self-signed, and the dates apart in
  // cert_validity (issue 10: "expired" must not hide that the chain was never trusted).
  tlsOk('cert-expired-self-signed', 'Self-signed leaf certificate that expired 30 days ago', {
    tls: 'expired-self-signed',
  }),
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
    // The forced STARTTLS came back echoed as XXXXXXXX (500, Sendmail's unknown-command wording): the command
    // we sent was altered on the path — direct evidence (FIELD-NOTES §1, issue 10). Not forced, only the mask
    // is seen: a box is there, nothing about STARTTLS itself is known, so no-starttls (RFC 3207: not offered).
    name: 'cisco-asa-masked',
    description: "Cisco ASA ESMTP inspection: 250-XXXXXXXA instead of STARTTLS; forced STARTTLS echoed as X's",
    server: server({ replies: { EHLO: EHLO_ASA_MASKED, HELO: HELO_OK, STARTTLS: ECHO_CORRUPTED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['masked-ehlo-keyword', 'corrupted-command-echo'],
        strip_evidence: 'direct',
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 500,
        tls_version: null,
        cert_sha256: null,
      },
      unforced: {
        outcome: 'no-starttls',
        fingerprints: ['masked-ehlo-keyword'],
        strip_evidence: null,
        error_stage: null,
        starttls_sent: false,
        starttls_code: null,
      },
      handshake: false,
      implicit: null,
    },
  },
  {
    // 250 XXXXXXXX is as long as STARTTLS, the reply has no STARTTLS and is clean, and the forced STARTTLS drew
    // "502 5.5.2 Error: command not recognized" (Postfix's wording for a verb it does not know, which is what a
    // masked verb becomes): circumstantial evidence (issue 10). Not forced: the mask alone, no accusation.
    name: 'cisco-masked-all-x',
    description: 'STARTTLS keyword masked as 250 XXXXXXXX (all X); forced STARTTLS answered as an unknown command',
    server: server({ replies: { EHLO: EHLO_ALL_X, HELO: HELO_OK, STARTTLS: NOT_RECOGNIZED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['masked-ehlo-keyword'],
        strip_evidence: 'circumstantial',
        error_stage: 'starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: false,
        starttls_sent: true,
        starttls_code: 502,
        tls_version: null,
      },
      unforced: {
        outcome: 'no-starttls',
        strip_evidence: null,
        error_stage: null,
        starttls_sent: false,
        starttls_code: null,
      },
      handshake: false,
      implicit: null,
    },
  },
  {
    // The same STARTTLS-length mask, but the forced STARTTLS drew "not implemented": a server that knows the
    // verb and has no TLS (Postfix's wording, FIELD-NOTES §1). No evidence about STARTTLS: the mask stays a
    // fingerprint, the outcome is RFC 3207's plain "not offered".
    name: 'mask-then-not-implemented',
    description: '250 XXXXXXXX in the EHLO reply; forced STARTTLS answered 502 5.5.1 command not implemented',
    server: server({ replies: { EHLO: EHLO_ALL_X, HELO: HELO_OK, STARTTLS: NOT_IMPLEMENTED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-starttls',
        fingerprints: ['masked-ehlo-keyword'],
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
    // Issue 10: a short mask (XXXA) is some other extension (four letters); with no STARTTLS and a forced
    // STARTTLS answered as unknown, only the box is proven: fingerprint, no accusation, no-starttls.
    name: 'short-mask-no-starttls',
    description: 'A four-letter mask (250-XXXA) and no STARTTLS; forced STARTTLS answered 502 command not recognized',
    server: server({ replies: { EHLO: EHLO_SHORT_MASK, HELO: HELO_OK, STARTTLS: NOT_RECOGNIZED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'no-starttls',
        fingerprints: ['masked-ehlo-keyword'],
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
    // A clean 2xx EHLO reply without STARTTLS, yet the STARTTLS sent anyway got 220 and a handshake: the server
    // speaks it, so the advertisement was removed on the way — direct evidence, and it outranks the TLS result
    // (issue 10). Not forced: deletion is invisible from one EHLO reply (FIELD-NOTES §1): no-starttls.
    name: 'hidden-starttls',
    description: 'STARTTLS not advertised (deleted from the list) yet accepted with 220 when sent anyway',
    server: server({ replies: { EHLO: EHLO_WITHOUT_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_READY } }),
    expect: {
      fields: {
        ...TLS_OK,
        outcome: 'starttls-stripped',
        fingerprints: ['hidden-starttls'],
        strip_evidence: 'direct',
        error_stage: 'starttls',
        starttls_advertised: false,
      },
      unforced: {
        outcome: 'no-starttls',
        fingerprints: [],
        strip_evidence: null,
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
    // STARTTLS advertised, the command arrives as XXXXXXXX and the server echoes what it received (500, Sendmail):
    // the echo is not what we sent — direct evidence (FIELD-NOTES §1, issue 10).
    name: 'command-echo-corrupted',
    description: 'STARTTLS advertised, but the command arrives as XXXXXXXX: Sendmail echoes what it received',
    server: server({ replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: ECHO_CORRUPTED } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'starttls-stripped',
        fingerprints: ['corrupted-command-echo'],
        strip_evidence: 'direct',
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
    // Issue 10: a refusal is not an unknown-command reply, so the quoted 'disabled' (eight letters) is never an
    // echo. RFC 3207 §4 allows 454 for an advertised STARTTLS: starttls-refused, no fingerprint.
    name: 'refusal-quoting-a-word',
    description: "STARTTLS advertised, answered 454 4.7.0 TLS not available: 'disabled'",
    server: server({ replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: STARTTLS_DISABLED_QUOTED } }),
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
    // RFC 3207: STARTTLS not in the EHLO reply, and the forced command refused: the server does not offer TLS.
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
    // Postfix with smtpd_discard_ehlo_keywords = starttls: STARTTLS hidden by the server itself and refused with
    // "502 5.5.1 Error: command not implemented" (FIELD-NOTES §1): a server choosing no TLS, not stripping.
    name: 'starttls-not-implemented',
    description: 'STARTTLS neither advertised nor offered: 502 5.5.1 Error: command not implemented',
    server: server({ replies: { EHLO: EHLO_WITHOUT_STARTTLS, HELO: HELO_OK, STARTTLS: NOT_IMPLEMENTED } }),
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
    // RFC 5321 §4.1.1.1: EHLO refused, HELO accepted; HELO's reply lists no keywords, and STARTTLS is refused.
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
    // Issue 10: after a HELO fallback nothing was "not advertised" (a HELO reply has no keyword list), so a
    // STARTTLS that works is an ordinary STARTTLS session (RFC 3207): tls-ok, helo_fallback kept, no fingerprint.
    name: 'helo-fallback-tls',
    description: 'EHLO answered 502, HELO accepted, forced STARTTLS accepted and the handshake completes',
    server: server({ replies: { EHLO: NOT_RECOGNIZED, HELO: HELO_OK, STARTTLS: STARTTLS_READY } }),
    expect: {
      fields: { ...TLS_OK, helo_fallback: true, starttls_advertised: false },
      unforced: {
        outcome: 'no-starttls',
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
    // Banner and EHLO answered, then silence after STARTTLS until our deadline: the server never answered, so
    // the record is a timeout at the starttls stage — never starttls-refused (issue 10, "a timeout is never a
    // server's answer").
    name: 'stall-after-starttls',
    description: 'STARTTLS advertised; the STARTTLS command is never answered (the connection idles)',
    server: server({ replies: { EHLO: EHLO_WITH_STARTTLS, HELO: HELO_OK, STARTTLS: SILENT } }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'timeout',
        fingerprints: [],
        error_stage: 'starttls',
        error: 'timeout',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: true,
        starttls_sent: true,
        starttls_code: null,
        tls_version: null,
      },
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
    // RFC 3207 §4: the server said 220, then answered the ClientHello with plaintext: TLS was due and did not
    // come. Issue 10's rule for bytes after the 220: never fed into TLS, the handshake fails as
    // plaintext-after-starttls.
    name: 'tls-failed',
    description: 'STARTTLS advertised and answered 220, then bytes that are not TLS, then close',
    server: server({ afterStartTls: 'garbage' }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'tls-failed',
        fingerprints: [],
        error_stage: 'tls',
        error: 'plaintext-after-starttls',
        tls_error: 'plaintext-after-starttls',
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
    // Plaintext a moment after the 220, in its own TCP segment, then a willing handshake: issue 10 requires the
    // same record as when the plaintext shares the 220's segment — tls-failed, plaintext-after-starttls.
    name: 'plaintext-after-220',
    description: 'STARTTLS answered 220, then (20 ms later) two plaintext reply lines, then a real handshake',
    server: server({ afterStartTls: 'plaintext-then-handshake' }),
    expect: {
      fields: {
        ...PLAIN,
        outcome: 'tls-failed',
        fingerprints: [],
        error_stage: 'tls',
        error: 'plaintext-after-starttls',
        tls_error: 'plaintext-after-starttls',
        banner_code: 220,
        ehlo_code: 250,
        starttls_advertised: true,
        starttls_sent: true,
        starttls_code: 220,
        tls_version: null,
        cert_sha256: null,
      },
      handshake: false,
      implicit: null,
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
