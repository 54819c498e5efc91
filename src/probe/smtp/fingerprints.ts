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
const COLON_ECHO =
  /\b(?:unrecogni[sz]ed|unknown|not recogni[sz]ed|not implemented|invalid|unsupported)(?: command)?\s*:\s*(.+)$/i;

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

const X_RUN = /^X{4,}[A-Z]?$/;

/**
 * An echo proves the command was altered on the path when it is not the
 * command we sent, and looks like what a rewriting box leaves: a run of X's
 * (Cisco fills disallowed commands with X's) or a same-length (8 characters,
 * like STARTTLS) substitution. Other echoes are a server's own wording.
 */
export function isCorruptedEcho(echo: string, sent: string): boolean {
  if (echo === '' || echo.toUpperCase() === sent.toUpperCase()) return false;
  return X_RUN.test(echo) || [...echo].length === sent.length;
}

/** The first corrupted echo of `sent` in a reply, or null. */
export function findCorruptedEcho(replyTexts: readonly string[], sent: string): string | null {
  return echoedTokens(replyTexts).find((echo) => isCorruptedEcho(echo, sent)) ?? null;
}
