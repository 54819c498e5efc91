/**
 * Realistic synthetic ScanRecords for tests and the benchmark: the outcome
 * mix follows the published figures in FIELD-NOTES §2 loosely (about half of
 * the responders complete STARTTLS, a few percent stripped), and the text
 * fields have the sizes of real banners, EHLO replies and transcripts.
 * Deterministic for a given seed.
 *
 * Two sizes: 'typical' (default) gives the transcripts a responsive host
 * leaves (banner, EHLO reply, STARTTLS, the EHLO after TLS: 200-500 bytes);
 * 'heavy' adds 20 vendor lines to the EHLO reply and 4 lines to the banner
 * of every SMTP host (about 1.6 KB of transcript, 2.9 KB per TSV row), a
 * pessimistic bound for benchmarks.
 */
import type { Fingerprint, Outcome, ScanRecord } from '../record.js';

const MIX: [Outcome, number][] = [
  ['tls-ok', 50],
  ['no-starttls', 25],
  ['starttls-stripped', 4],
  ['starttls-refused', 3],
  ['tls-failed', 5],
  ['connect-refused', 5],
  ['connect-timeout', 3],
  ['smtp-rejected', 3],
  ['not-smtp', 2],
];

/** A small seeded generator (mulberry32) so that runs repeat exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickOutcome(r: number): Outcome {
  const total = MIX.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [outcome, w] of MIX) {
    if (x < w) return outcome;
    x -= w;
  }
  return 'tls-ok';
}

export interface SyntheticOptions {
  seed?: number;
  campaign?: string;
  job?: string;
  vantage?: string;
  /** First probe time; each record is 1 ms later than the previous one. */
  start?: Date;
  /** First address as a 32-bit number; addresses count up from it. */
  firstAddress?: number;
  /** Text sizes: see the module comment (default 'typical'). */
  size?: 'typical' | 'heavy';
}

const HEAVY_KEYWORDS = Array.from({ length: 20 }, (_, i) => `X-VENDOR-EXTENSION-${i} PARAM`);
const HEAVY_BANNER_LINES = Array.from({ length: 4 }, (_, i) => `line ${i}: operated by Example Networks, no UCE`);

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function syntheticRecords(count: number, opts: SyntheticOptions = {}): ScanRecord[] {
  const random = rng(opts.seed ?? 1);
  const start = (opts.start ?? new Date('2024-05-01T00:00:00Z')).getTime();
  const first = opts.firstAddress ?? 0x0b000001;
  const out: ScanRecord[] = [];
  for (let i = 0; i < count; i++) out.push(syntheticRecord(i, random, start, first, opts));
  return out;
}

function syntheticRecord(
  i: number,
  random: () => number,
  start: number,
  first: number,
  opts: SyntheticOptions,
): ScanRecord {
  const outcome = pickOutcome(random());
  const responded = !outcome.startsWith('connect-');
  const smtp = responded && outcome !== 'not-smtp';
  const stripped = outcome === 'starttls-stripped';
  const tried = outcome === 'tls-ok' || outcome === 'tls-failed' || outcome === 'starttls-refused';
  const tls = outcome === 'tls-ok';
  const host = `mx${i % 997}.example${i % 89}.net`;
  const fingerprints: Fingerprint[] = stripped ? ['masked-ehlo-keyword'] : random() < 0.01 ? ['masked-banner'] : [];
  const heavy = opts.size === 'heavy';
  const keywords = smtp
    ? [
        host,
        'PIPELINING',
        'SIZE 52428800',
        stripped ? 'XXXXXXXA' : tried ? 'STARTTLS' : 'ETRN',
        '8BITMIME',
        'DSN',
        ...(heavy ? HEAVY_KEYWORDS : []),
      ]
    : [];
  const banner = smtp
    ? [`${host} ESMTP Postfix (Debian/GNU)`, ...(heavy ? HEAVY_BANNER_LINES : [])].join('\n')
    : responded
      ? 'HTTP/1.1 400 Bad Request'
      : null;
  const postTlsKeywords = tls ? keywords.filter((k) => k !== 'STARTTLS').concat(['AUTH PLAIN LOGIN']) : [];
  return {
    ip: ipv4((first + i) >>> 0),
    port: 25,
    server_name: null,
    ts: new Date(start + i).toISOString(),
    outcome,
    fingerprints,
    strip_evidence: stripped ? 'circumstantial' : null,
    error_stage:
      outcome === 'connect-refused' || outcome === 'connect-timeout'
        ? 'connect'
        : outcome === 'tls-failed'
          ? 'tls'
          : null,
    error: outcome === 'connect-timeout' ? 'timeout' : outcome === 'connect-refused' ? 'ECONNREFUSED' : null,
    banner,
    banner_code: smtp ? 220 : null,
    ehlo_code: smtp ? 250 : null,
    ehlo_keywords: keywords,
    helo_fallback: false,
    starttls_advertised: tried,
    starttls_sent: tried || stripped,
    starttls_code: tried ? (outcome === 'starttls-refused' ? 454 : 220) : stripped ? 500 : null,
    starttls_reply: tried
      ? outcome === 'starttls-refused'
        ? '4.7.0 TLS not available'
        : '2.0.0 Ready to start TLS'
      : null,
    implicit_tls: false,
    tls_version: tls ? (random() < 0.7 ? 'TLSv1.3' : 'TLSv1.2') : null,
    tls_cipher: tls ? 'TLS_AES_256_GCM_SHA384' : null,
    tls_error: outcome === 'tls-failed' ? 'handshake: wrong version number' : null,
    cert_sha256: tls ? (random() * 2 ** 52).toString(16).padStart(64, '0') : null,
    cert_status: tls ? (random() < 0.6 ? 'valid' : 'self-signed') : null,
    cert_validity: tls ? 'current' : null,
    cert_subject: tls ? `CN=${host}` : null,
    cert_issuer: tls ? "CN=R11,O=Let's Encrypt,C=US" : null,
    cert_sans: tls ? [host, `mail.example${i % 89}.net`] : [],
    cert_not_before: tls ? '2024-03-01T00:00:00.000Z' : null,
    cert_not_after: tls ? '2024-05-30T00:00:00.000Z' : null,
    cert_key_type: tls ? 'RSA' : null,
    cert_key_bits: tls ? 2048 : null,
    cert_chain_len: tls ? 2 : null,
    cert_name_matches_banner: tls ? true : null,
    cert_name_matches: null,
    post_tls_ehlo_code: tls ? 250 : null,
    post_tls_ehlo_keywords: postTlsKeywords,
    duration_ms: Math.floor(random() * 3000),
    transcript: smtp
      ? `S: 220 ${banner?.replaceAll('\n', '\nS: 220-')}\nC: EHLO scan.example.org\nS: 250-${keywords.join('\nS: 250-')}\n${tried ? 'C: STARTTLS\nS: 220 2.0.0 Ready to start TLS\n' : ''}${tls ? `C: EHLO scan.example.org\nS: 250-${postTlsKeywords.join('\nS: 250-')}\nC: QUIT\nS: 221 2.0.0 Bye\n` : ''}`
      : '',
    campaign: opts.campaign ?? 'synthetic',
    job: opts.job ?? 'job-0',
    vantage: opts.vantage ?? 'local',
  };
}
