/**
 * Reading an EHLO reply's keyword lines (RFC 5321 §4.1.1.1): what it
 * advertises, and whether it can be read at all.
 *
 * An accusation of stripping rests on what the reply did NOT say, so the
 * reading is tolerant where servers are sloppy (keywords are case-insensitive,
 * trailing whitespace is common) and refuses to conclude anything from a reply
 * it cannot read: one line with control bytes, invalid UTF-8 or other noise
 * makes the reply unclean, and an unclean reply proves no absence.
 */

export interface EhloReading {
  /** Each keyword line's first word, upper-cased, in reply order. */
  keywords: string[];
  /** STARTTLS is among the keywords. */
  starttls: boolean;
  /** Every keyword line is readable: printable ASCII words separated by single spaces, trailing whitespace allowed. */
  clean: boolean;
}

/**
 * A readable keyword line, as escaped text (escape.ts): printable ASCII
 * (no backslash: control bytes and invalid UTF-8 arrive as `\xNN`, a raw
 * backslash as `\\`) in words separated by single spaces. Lenient on the
 * keyword's own characters: `AUTH=LOGIN PLAIN` is common and harmless.
 */
const READABLE_LINE = /^[\x21-\x5b\x5d-\x7e]+(?: [\x21-\x5b\x5d-\x7e]+)*$/;
/** Trailing spaces and tabs; a tab arrives escaped as `\x09`. */
const TRAILING_WHITESPACE = /(?: |\\x09)+$/;

export function keywordOf(line: string): string {
  return (line.replace(TRAILING_WHITESPACE, '').split(' ', 1)[0] ?? '').toUpperCase();
}

/** Read the keyword lines of a 2xx EHLO reply (the greeting line excluded), escaped. */
export function readEhloKeywords(lines: readonly string[]): EhloReading {
  const keywords: string[] = [];
  let clean = true;
  for (const line of lines) {
    const trimmed = line.replace(TRAILING_WHITESPACE, '');
    if (!READABLE_LINE.test(trimmed)) clean = false;
    keywords.push(keywordOf(trimmed));
  }
  return { keywords, starttls: keywords.includes('STARTTLS'), clean };
}
