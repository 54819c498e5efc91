/** One statement or several, by ClickHouse's lexical rules: a `;` that separates nothing must not count. */
import { describe, expect, it } from 'vitest';
import { secondStatementAt } from '../../src/store/sql-statements.js';
import { relocate } from '../../src/store/query-refusal.js';

describe('secondStatementAt', () => {
  it.each([
    ['SELECT 1', null],
    ['SELECT 1;', null],
    ['SELECT 1 ;  ;\n', null],
    ['SELECT 1; -- the end', null],
    ['SELECT 1; /* the /* nested */ end */', null],
    ["SELECT 'a;b', 'it''s;', 'back\\';slash'", null],
    ['SELECT "x;y", `p;q` FROM t', null],
    ['SELECT 1 -- ; SELECT 2', null],
    ['SELECT 1 // ; SELECT 2', null],
    ['SELECT 1 # ; SELECT 2', null],
    ['SELECT $$a;b$$, $tag$c;$$;d$tag$', null],
    ['INSERT INTO t FORMAT TSV\n1\ta;b', null],
    ['SELECT 1; SELECT 2', 10],
    ['SELECT 1;SELECT 2', 9],
    ["SELECT ';'; DROP TABLE observations", 12],
    ['SELECT 1 /* ; */; SELECT 2', 18],
    ['SELECT 1;\n-- c\nSELECT 2', 15],
    ['SELECT 1 #x; SELECT 2', 13],
  ])('%j → %j', (sql, at) => {
    expect(secondStatementAt(sql)).toBe(at);
  });
});

describe('relocate', () => {
  it('moves a position past the blanks the client trimmed, and gives line and column of a multi-line query', () => {
    const sql = '\n\n  SELECT foo(\n  1';
    const sent = 'Syntax error: failed at position 11 ((): ( 1. Unmatched parentheses: (.';
    expect(relocate(sent, sql)).toBe(
      'Syntax error: failed at position 15 (line 3, col 13) ((): ( 1. Unmatched parentheses: (.',
    );
  });

  it('counts bytes, as ClickHouse does, and replaces the line and column ClickHouse gave for the trimmed text', () => {
    const sql = "  SELECT 'é',\n  foo(";
    const sent = 'Syntax error: failed at position 19 (() (line 2, col 6): (. Unmatched parentheses: (.';
    expect(relocate(sent, sql)).toBe(
      'Syntax error: failed at position 21 (line 2, col 6) ((): (. Unmatched parentheses: (.',
    );
  });

  it('leaves a one-line query without blanks as ClickHouse said it', () => {
    const text = 'Syntax error: failed at position 7 (1): 1. Expected one of: …';
    expect(relocate(text, 'SELEC 1')).toBe(text);
  });
});
