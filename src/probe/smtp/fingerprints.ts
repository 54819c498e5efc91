/**
 * Detectors for the wire shapes of STARTTLS-stripping middleboxes. Each one
 * is a pure function of escaped server text; classify.ts decides what they
 * mean together. Sources: /work/shared/FIELD-NOTES.md §1 (summarised in
 * docs/classification.md).
 */

/**
 * Cisco ASA ESMTP inspection overwrites extension keywords with X's and keeps
 * their length, ending in a sequential letter (`250-XXXXXXXA`, `250 XXXB`) or
 * in X's only (`250 XXXXXXXX`). Shape, not literal: two or more capital X's
 * then at most one capital letter, the whole word. Real X-extensions
 * (XEXCH50, XFORWARD, X-LINK2STATE, XCLIENT…) have a non-X second letter.
 */
const MASKED_KEYWORD = /^X{2,}[A-Z]?$/;

export function isMaskedKeyword(keywordLine: string): boolean {
  const word = keywordLine.split(' ', 1)[0] ?? '';
  return word.length >= 3 && MASKED_KEYWORD.test(word);
}

/**
 * A mask exactly as long as STARTTLS (`XXXXXXXA`, `XXXXXXXX`). Cisco keeps a
 * masked keyword's length, so only such a mask can stand where STARTTLS was;
 * CHUNKING, SMTPUTF8, 8BITMIME and XFORWARD have eight letters too, which is
 * why a mask alone is never enough (docs/classification.md).
 */
export function isStarttlsLengthMask(keywordLine: string): boolean {
  return isMaskedKeyword(keywordLine) && (keywordLine.split(' ', 1)[0] ?? '').length === 'STARTTLS'.length;
}

/**
 * Cisco PIX MailGuard replaces banner text with asterisks, keeping only the
 * characters `2` and `0`. A line qualifies when it holds nothing else, has at
 * least 4 asterisks, and asterisks are the majority of its non-space
 * characters (so `220 *` or a line of zeros does not).
 */
export function isMaskedBannerLine(text: string): boolean {
  if (!/^[*20 ]+$/.test(text)) return false;
  const asterisks = text.split('*').length - 1;
  const nonSpace = text.replaceAll(' ', '').length;
  return asterisks >= 4 && asterisks * 2 > nonSpace;
}

export function isMaskedBanner(bannerTexts: readonly string[]): boolean {
  return bannerTexts.some(isMaskedBannerLine);
}

/** Quoted echoes: "…", '…', `…`, <…>. Escaped text never holds a raw quote inside an escape, so this is safe. */
const QUOTED_ECHO = /"([^"]*)"|'([^']*)'|`([^`]*)`|<([^>]*)>/g;
/** Unquoted echoes after a colon: `unrecognized command: XXXXXXXX`, `Command unrecognized: XXXX`, `unknown command: …`. */
const COLON_ECHO = /\b(?:unrecogni[sz]ed|unknown|not recogni[sz]ed|invalid|unsupported)(?: command)?\s*:\s*(.+)$/i;

/** Command tokens a server echoed back in its reply text (trimmed; possibly empty strings). */
export function echoedTokens(replyTexts: readonly string[]): string[] {
  const tokens: string[] = [];
  for (const text of replyTexts) {
    for (const match of text.matchAll(QUOTED_ECHO)) {
      tokens.push((match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').trim());
    }
    const colon = COLON_ECHO.exec(text);
    if (colon?.[1] !== undefined) tokens.push(colon[1].trim());
  }
  return tokens;
}

/** The words servers use for a verb they do not know (Sendmail, aiosmtpd, Exim, Postfix, Exchange). */
const NOT_RECOGNISED = /\b(?:unrecogni[sz]ed|not recogni[sz]ed|unknown|invalid command)\b/i;
/** The words of a server that knows the verb but will not do it: no accusation may rest on these. */
const KNOWN_BUT_REFUSED = /\bnot implemented\b/i;

/**
 * RFC 5321 §4.2.2/§4.2.4: 500 is "syntax error, command unrecognized"; 502 is
 * "command not implemented", which some servers also use for unknown verbs
 * (`502 5.5.2 Error: command not recognized`; Postfix 3.7 says 500 there) and
 * Postfix for STARTTLS it knows but does not offer (`502 5.5.1 Error: command
 * not implemented`). So a 500 counts
 * unless it says "not implemented", and a 502 only when it says the command
 * was not recognised. 454, 503 and every other code never count.
 */
export function isUnknownCommandReply(reply: { code: number; texts: readonly string[] }): boolean {
  const text = reply.texts.join(' ');
  if (reply.code === 500) return !KNOWN_BUT_REFUSED.test(text);
  if (reply.code === 502) return NOT_RECOGNISED.test(text) && !KNOWN_BUT_REFUSED.test(text);
  return false;
}

const X_RUN = /^X{4,}[A-Z]?$/;
/** One printable word: an echo with spaces is a sentence, not a command. */
const ONE_WORD = /^[\x21-\x7e]+$/;

/**
 * An echo proves the command was altered on the path when it is not the
 * command we sent, and looks like what a rewriting box leaves: a run of X's
 * (Cisco fills disallowed commands with X's) or a same-length substitution.
 * Other echoes are a server's own wording.
 */
export function isCorruptedEcho(echo: string, sent: string): boolean {
  if (echo === '' || echo.toUpperCase() === sent.toUpperCase() || !ONE_WORD.test(echo)) return false;
  return X_RUN.test(echo) || echo.length === sent.length;
}

/**
 * The corrupted echo of `sent` in a reply, or null. Only an unknown-command
 * reply can echo the command it did not know: a refusal (`454 4.7.0 TLS not
 * available: 'disabled'`) quoting some word is never an echo.
 */
export function findCorruptedEcho(reply: { code: number; texts: readonly string[] }, sent: string): string | null {
  if (!isUnknownCommandReply(reply)) return null;
  return echoedTokens(reply.texts).find((echo) => isCorruptedEcho(echo, sent)) ?? null;
}
