import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/probe/smtp/index.js';
import { ReplyParser, type ParseStep } from '../../../src/probe/smtp/reply-parser.js';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const parse = (s: string, limits = DEFAULT_LIMITS): ParseStep => new ReplyParser(limits).feed(ascii(s), 0);

describe('ReplyParser', () => {
  it('parses a multi-line reply and reports where it ended', () => {
    const step = parse('250-mail.example.com\r\n250-SIZE 100\r\n250 STARTTLS\r\nrest');
    expect(step).toEqual({
      kind: 'reply',
      next: 50,
      reply: {
        code: 250,
        texts: ['mail.example.com', 'SIZE 100', 'STARTTLS'],
        wire: ['250-mail.example.com', '250-SIZE 100', '250 STARTTLS'],
      },
    });
  });

  it('accepts a bare code line and bare LF endings', () => {
    expect(parse('220\r\n')).toMatchObject({ kind: 'reply', reply: { code: 220, texts: [''] } });
    expect(parse('250-a\n250 b\n')).toMatchObject({ kind: 'reply', reply: { texts: ['a', 'b'] } });
  });

  it('waits for more bytes when the final line has not arrived', () => {
    const parser = new ReplyParser(DEFAULT_LIMITS);
    expect(parser.feed(ascii('250-a\r\n250 b'), 0)).toEqual({ kind: 'need-more' });
    expect(parser.inReply).toBe(true);
    expect(parser.feed(ascii('\r\n'), 0)).toMatchObject({ kind: 'reply', reply: { texts: ['a', 'b'] }, next: 2 });
    expect(parser.inReply).toBe(false);
  });

  it('rejects lines of different codes and lines that are not ddd[ -]', () => {
    expect(parse('250-a\r\n251 b\r\n')).toEqual({ kind: 'error', error: 'malformed-reply', detail: '251 b' });
    expect(parse('250_a\r\n')).toMatchObject({ kind: 'error', error: 'malformed-reply' });
    expect(parse('25\r\n')).toMatchObject({ kind: 'error', error: 'malformed-reply' });
    expect(parse('2a0 x\r\n')).toMatchObject({ kind: 'error', error: 'malformed-reply' });
  });

  it('keeps a CR inside a line, escaped, and strips only the CR of the CRLF', () => {
    expect(parse('250 a\rb\r\n')).toMatchObject({ kind: 'reply', reply: { texts: ['a\\x0db'] } });
  });

  it('stops at maxReplyLines', () => {
    const limits = { ...DEFAULT_LIMITS, maxReplyLines: 3 };
    expect(parse('250-a\r\n250-b\r\n250 c\r\n', limits)).toMatchObject({ kind: 'reply' });
    expect(parse('250-a\r\n250-b\r\n250-c\r\n250 d\r\n', limits)).toEqual({
      kind: 'error',
      error: 'reply-too-large',
      detail: 'more than 3 lines',
    });
  });

  it('stops at maxReplyBytes, counting line endings, and on a line that never ends', () => {
    const limits = { ...DEFAULT_LIMITS, maxReplyBytes: 10 };
    expect(parse('250 abcde\r\n', limits)).toMatchObject({ kind: 'error', error: 'reply-too-large' });
    expect(parse('250 abcd\r\n', limits)).toMatchObject({ kind: 'reply' });
    const parser = new ReplyParser(limits);
    expect(parser.feed(ascii('250 abcdef'), 0)).toEqual({ kind: 'need-more' });
    expect(parser.feed(ascii('g'), 0)).toMatchObject({ kind: 'error', error: 'reply-too-large' });
  });

  it('holds at most about one reply of bytes however much arrives', () => {
    const parser = new ReplyParser(DEFAULT_LIMITS);
    const line = ascii('250-' + 'x'.repeat(60) + '\r\n');
    let step: ParseStep = { kind: 'need-more' };
    let max = 0;
    for (let i = 0; i < 10_000 && step.kind === 'need-more'; i++) {
      step = parser.feed(line, 0);
      max = Math.max(max, parser.bufferedBytes);
    }
    expect(step).toMatchObject({ kind: 'error', error: 'reply-too-large' });
    expect(max).toBeLessThan(3 * DEFAULT_LIMITS.maxReplyBytes);
  });
});
