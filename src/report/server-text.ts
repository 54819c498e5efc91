/**
 * Server text in report tables: banners, EHLO keywords, certificate names,
 * addresses. A table cell must neither break an address or a keyword in the
 * middle nor grow past its box, and a server decides how long its text is (a
 * hostile one sends a 500-character keyword). So text is shown cut — at most
 * `maxChars` characters, no word longer than `maxWord` — with an ellipsis,
 * and the full text (escaped, as recorded) in the cell's tooltip. The CSS lets
 * lines wrap only at spaces (`.server`) or not at all (`.nowrap`).
 */
import { escapeHtml as esc } from './html-escape.js';

export interface Clipped {
  shown: string;
  clipped: boolean;
}

/** Cuts at the first character past `maxChars` or past `maxWord` characters without a space. */
export function clipText(text: string, maxChars: number, maxWord: number): Clipped {
  const chars = [...text];
  let run = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    run = /\s/.test(ch) ? 0 : run + 1;
    if (i >= maxChars || run > maxWord) return { shown: `${chars.slice(0, i).join('').trimEnd()}…`, clipped: true };
  }
  return { shown: text, clipped: false };
}

/** One server string as a span; `nowrap` for tokens that must stay whole (addresses, keywords). */
export function serverSpan(text: string, opts: { maxChars: number; maxWord: number; nowrap?: boolean }): string {
  const { shown, clipped } = clipText(text, opts.maxChars, opts.maxWord);
  const cls = opts.nowrap === true ? 'server nowrap' : 'server';
  const title = clipped ? ` title="${esc(text)}"` : '';
  return `<span class="${cls}"${title}>${esc(shown)}</span>`;
}

/** Limits per kind of text: a keyword or an address fits a narrow column; a banner gets a few lines. */
export const TEXT_LIMITS = {
  address: { maxChars: 45, maxWord: 45, nowrap: true },
  keyword: { maxChars: 32, maxWord: 32, nowrap: true },
  label: { maxChars: 40, maxWord: 40, nowrap: true },
  banner: { maxChars: 160, maxWord: 32 },
  name: { maxChars: 120, maxWord: 40 },
  /** A URL or an e-mail address in a two-column table (the contact): one long word is normal. */
  contact: { maxChars: 200, maxWord: 80 },
} as const;

/**
 * A list of keywords: each kept whole (`SIZE 10240000` is one keyword), separated by ` · `
 * so that a line may break only between keywords.
 */
export function keywordList(keywords: readonly string[]): string {
  // A no-break space before the dot keeps it at the end of a line, never at the start of the next.
  return keywords.map((k) => serverSpan(k, TEXT_LIMITS.keyword)).join('&#160;· ');
}
