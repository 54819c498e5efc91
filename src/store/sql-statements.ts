/**
 * Where a second SQL statement starts, read with ClickHouse's own lexical
 * rules (src/Parsers/Lexer.cpp): a `;` inside a string, a quoted identifier,
 * a comment or a heredoc separates nothing. `stripscan query` runs exactly
 * one statement. A ClickHouse server refuses several in one HTTP request
 * itself, but chDB runs them all and returns their outputs concatenated, so
 * the check happens here, before anything is sent, the same for both.
 *
 * Only statement boundaries matter, so only the tokens that can hide a `;`
 * are read: '…' strings and "…" / `…` identifiers (backslash escapes and
 * doubled quotes), -- and // and `# ` / `#!` line comments, nested /* … *\/
 * comments, and $tag$ … $tag$ heredocs. Inline data after an INSERT's
 * FORMAT clause is not SQL, and is not read.
 */

/** Index in `sql` where a second statement begins, or null for one statement (trailing `;` allowed). */
export function secondStatementAt(sql: string): number | null {
  let pos = 0;
  let afterSemicolon = false;
  let firstWord: string | null = null;
  while (pos < sql.length) {
    const start = pos;
    const token = nextToken(sql, pos);
    pos = token.end;
    if (token.kind === 'blank') continue;
    if (token.kind === 'semicolon') {
      afterSemicolon = true;
      continue;
    }
    if (afterSemicolon) return start;
    if (token.kind === 'word') {
      const word = sql.slice(start, pos).toUpperCase();
      firstWord ??= word;
      if (firstWord === 'INSERT' && word === 'FORMAT') return null;
    } else {
      firstWord ??= '';
    }
  }
  return null;
}

type TokenKind = 'blank' | 'semicolon' | 'word' | 'other';

interface Token {
  kind: TokenKind;
  end: number;
}

const WORD_CHAR = /[A-Za-z0-9_$]/;
const WHITESPACE = /[ \t\n\r\f\v]/;

function nextToken(sql: string, pos: number): Token {
  const c = sql[pos] as string;
  const next = sql[pos + 1];
  if (WHITESPACE.test(c)) return { kind: 'blank', end: pos + 1 };
  if (c === ';') return { kind: 'semicolon', end: pos + 1 };
  if (c === "'" || c === '"' || c === '`') return { kind: 'other', end: quotedEnd(sql, pos, c) };
  if ((c === '-' && next === '-') || (c === '/' && next === '/') || (c === '#' && (next === ' ' || next === '!'))) {
    const newline = sql.indexOf('\n', pos);
    return { kind: 'blank', end: newline === -1 ? sql.length : newline };
  }
  if (c === '/' && next === '*') return { kind: 'blank', end: blockCommentEnd(sql, pos) };
  if (c === '$') {
    const heredoc = heredocEnd(sql, pos);
    if (heredoc !== null) return { kind: 'other', end: heredoc };
  }
  if (WORD_CHAR.test(c)) {
    let end = pos + 1;
    while (end < sql.length && WORD_CHAR.test(sql[end] as string)) end++;
    return { kind: 'word', end };
  }
  return { kind: 'other', end: pos + 1 };
}

/** End of a quoted token; an unclosed one runs to the end (the server then names the error). */
function quotedEnd(sql: string, pos: number, quote: string): number {
  let i = pos + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** ClickHouse nests block comments, as the SQL standard says. */
function blockCommentEnd(sql: string, pos: number): number {
  let depth = 1;
  let i = pos + 2;
  while (i + 1 < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `$tag$ … $tag$` (the tag may be empty): the end of the closing delimiter, or null when there is none. */
function heredocEnd(sql: string, pos: number): number | null {
  const tagEnd = sql.indexOf('$', pos + 1);
  if (tagEnd === -1) return null;
  const delimiter = sql.slice(pos, tagEnd + 1);
  const close = sql.indexOf(delimiter, tagEnd + 1);
  return close === -1 ? null : close + delimiter.length;
}
