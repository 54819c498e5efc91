/**
 * Weights for `--mix realistic`, derived from FIELD-NOTES §2 (the IPv4 port-25
 * scan attributed to Durumeric et al., IMC 2015, and Facebook's 2014 figures).
 * docs/sim.md repeats the arithmetic. Units: hosts per million.
 *
 *   14.10 M hosts with port 25 open                          = 1,000,000 ppm
 *   A  no SMTP reply     14.10 M − 8.85 M = 5.25 M           =   372,340 ppm
 *   B  STARTTLS done     4.62 M                              =   327,660 ppm
 *   C  corruption seen   41,405  (35,649 advert. + 5,756 echo) =   2,937 ppm
 *        masked advertisement 35,649                         =     2,528 ppm
 *        corrupted echo        5,756                         =       408 ppm
 *   D  rest of SMTP      8.85 M − 4.62 M − 41,405 = 4.1886 M =   297,063 ppm
 *
 * Splits inside a group are NOT published; they are our assumptions, stated
 * per row. Within B, Facebook's "25 % of domains with matching, valid
 * certificates" sets the valid-and-matching share (a different population:
 * domains, not IPs). Within C, the all-X share is EFF's 2018 count of about
 * 8,000 `250 XXXXXXXX` banners against the 35,649 masked advertisements.
 */
const GROUP_PPM = { A: 372_340, B: 327_660, C_masked: 2_528, C_echo: 408, D: 297_063 } as const;

/** [persona, group, share of the group in percent]. Each group's shares add up to 100. */
const SHARES: ReadonlyArray<readonly [string, keyof typeof GROUP_PPM, number]> = [
  // A — open port, no SMTP dialogue (assumed: mostly silent or filtered, some other services).
  ['no-banner', 'A', 60],
  ['mid-banner-reset', 'A', 10],
  ['not-smtp-ssh', 'A', 30],
  // B — STARTTLS completed. 25 % valid and matching (Facebook 2014) …
  ['postfix-tls-ok', 'B', 12],
  ['rsa-tls-ok', 'B', 8],
  ['multiline-banner', 'B', 2],
  ['early-talker', 'B', 1],
  ['slow-drip', 'B', 0.5],
  ['masked-beside-starttls', 'B', 0.5],
  ['pix-masked-banner', 'B', 0.5],
  ['nul-invalid-utf8-banner', 'B', 0.25],
  ['script-banner', 'B', 0.25],
  ['helo-fallback-tls', 'B', 0.5],
  // … and 75 % not (assumed split; self-signed and wrong-name dominate in mail).
  ['cert-self-signed', 'B', 33],
  ['cert-expired-self-signed', 'B', 1.5],
  ['cert-wrong-name', 'B', 25],
  ['cert-expired', 'B', 10],
  ['cert-not-yet-valid', 'B', 1],
  ['tls10-only', 'B', 2],
  ['post-tls-failure', 'B', 2],
  // C — corruption (published counts); masked advertisements split ASA-style vs all-X (8,000 / 35,649).
  ['cisco-asa-masked', 'C_masked', 77.56],
  ['cisco-masked-all-x', 'C_masked', 22.44],
  ['command-echo-corrupted', 'C_echo', 100],
  // D — SMTP without completed STARTTLS (assumed split). Masks without evidence about STARTTLS, refusals that
  // quote a word and servers stalling after STARTTLS are small assumed shares: they exist to be counted apart.
  ['no-starttls', 'D', 55.5],
  ['starttls-not-implemented', 'D', 1.5],
  ['short-mask-no-starttls', 'D', 0.5],
  ['mask-then-not-implemented', 'D', 0.25],
  ['refusal-quoting-a-word', 'D', 1],
  ['plaintext-after-220', 'D', 0.25],
  ['stall-after-starttls', 'D', 1],
  ['smtp-rejected', 'D', 15],
  ['tls-failed', 'D', 10],
  ['starttls-refused', 'D', 5],
  ['ehlo-refused-helo-ok', 'D', 5],
  ['ehlo-helo-refused', 'D', 3],
  ['hidden-starttls', 'D', 1.5],
  ['oversized-ehlo', 'D', 0.5],
];

/** Persona name → weight in hosts per million (rounded; the total is within a few ppm of 1,000,000). */
export const REALISTIC_WEIGHTS_PPM: ReadonlyMap<string, number> = new Map(
  SHARES.map(([name, group, percent]) => [name, Math.max(1, Math.round((GROUP_PPM[group] * percent) / 100))]),
);
