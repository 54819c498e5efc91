import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeBytes, unescapeToBytes } from '../../../src/probe/smtp/index.js';
import { ReplyParser } from '../../../src/probe/smtp/reply-parser.js';
import { DEFAULT_LIMITS } from '../../../src/probe/smtp/index.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('escapeBytes', () => {
  it('keeps printable ASCII and valid UTF-8 as written', () => {
    expect(escapeBytes(ascii('250 mail.example.com ESMTP'))).toBe('250 mail.example.com ESMTP');
    expect(escapeBytes(new TextEncoder().encode('café ☃ 😀 Grüße'))).toBe('café ☃ 😀 Grüße');
  });

  it('escapes NUL, CR, LF, other C0 controls and DEL as \\xNN', () => {
    expect(escapeBytes(bytes(0x41, 0x00, 0x0d, 0x0a, 0x09, 0x1b, 0x7f, 0x42))).toBe('A\\x00\\x0d\\x0a\\x09\\x1b\\x7fB');
  });

  it('doubles the backslash so that \\x always means an escape', () => {
    expect(escapeBytes(ascii('a\\x41'))).toBe('a\\\\x41');
  });

  it('escapes each byte of invalid UTF-8', () => {
    expect(escapeBytes(bytes(0xff, 0xfe))).toBe('\\xff\\xfe');
    expect(escapeBytes(bytes(0x80))).toBe('\\x80'); // stray continuation byte
    expect(escapeBytes(bytes(0xc0, 0x80))).toBe('\\xc0\\x80'); // overlong NUL
    expect(escapeBytes(bytes(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80'); // UTF-16 surrogate
    expect(escapeBytes(bytes(0xf4, 0x90, 0x80, 0x80))).toBe('\\xf4\\x90\\x80\\x80'); // above U+10FFFF
    expect(escapeBytes(bytes(0x61, 0xc3))).toBe('a\\xc3'); // truncated at the end
    expect(escapeBytes(bytes(0xc3, 0x41))).toBe('\\xc3A'); // missing continuation
  });

  it('escapes C1 control characters even though they are valid UTF-8 (terminals act on them)', () => {
    expect(escapeBytes(bytes(0xc2, 0x9b, 0x41))).toBe('\\xc2\\x9bA');
  });

  it('decodes a multibyte character split across TCP chunks, because lines are escaped whole', () => {
    const line = new TextEncoder().encode('220 café ☃\r\n');
    const parser = new ReplyParser(DEFAULT_LIMITS);
    let reply = null;
    for (const b of line) {
      const step = parser.feed(Uint8Array.of(b), 0);
      if (step.kind === 'reply') reply = step.reply;
    }
    expect(reply?.texts).toEqual(['café ☃']);
  });

  it('is reversible and never emits control characters, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const escaped = escapeBytes(input);
        expect(unescapeToBytes(escaped)).toEqual(input);
        expect(/[\u0000-\u001f\u007f-\u009f]/.test(escaped)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives printable ASCII back as the same characters, short lines and long ones alike', () => {
    // Printable ASCII (0x20–0x7e, no backslash) is the common line, decoded in one call.
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0x20, max: 0x7e }).filter((b) => b !== 0x5c),
          { maxLength: 6000 },
        ),
        (codes) => {
          const input = Uint8Array.from(codes);
          expect(escapeBytes(input)).toBe(Buffer.from(input).toString('latin1'));
        },
      ),
      { numRuns: 300 },
    );
    const long = new Uint8Array(5000).fill(0x41);
    expect(escapeBytes(long)).toBe('A'.repeat(5000));
  });
});
