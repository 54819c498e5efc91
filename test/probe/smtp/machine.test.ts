import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { DEFAULT_LIMITS, SmtpProbe, type ProbeAction } from '../../../src/probe/smtp/index.js';
import { probeOptions, toBytes } from './replay.js';
import { POSTFIX_BANNER, POSTFIX_EHLO } from './sessions.js';

const TEN_MB = 10 * 1024 * 1024;
const data = (s: string) => ({ type: 'data', bytes: toBytes(s) }) as const;

function doneOf(actions: ProbeAction[]) {
  const done = actions.find((a) => a.type === 'done');
  return done?.type === 'done' ? done.result : null;
}

describe('SmtpProbe bounds', () => {
  it('stops a 10 MB EHLO reply fed one line at a time, holding little', () => {
    const machine = new SmtpProbe(probeOptions({ limits: { ...DEFAULT_LIMITS, maxReplyLines: 1_000_000 } }));
    machine.handle({ type: 'connected' });
    machine.handle(data(POSTFIX_BANNER));
    const line = toBytes('250-' + 'K'.repeat(58) + '\r\n');
    let fed = 0;
    let maxBuffered = 0;
    let result = null;
    while (fed < TEN_MB) {
      const actions = machine.handle({ type: 'data', bytes: line });
      fed += line.length;
      maxBuffered = Math.max(maxBuffered, machine.bufferedBytes);
      if (result !== null && actions.length > 0) throw new Error('actions after done');
      result ??= doneOf(actions);
    }
    expect(result).toMatchObject({
      outcome: 'ehlo-failed',
      error_stage: 'ehlo',
      error: expect.stringMatching(/^reply-too-large/),
    });
    expect(maxBuffered).toBeLessThan(3 * DEFAULT_LIMITS.maxReplyBytes);
  });

  it('stops a 10 MB line without CRLF at maxReplyBytes', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    chunk.set(toBytes('220 '));
    const result = doneOf(machine.handle({ type: 'data', bytes: chunk }));
    expect(result).toMatchObject({
      outcome: 'no-banner',
      error_stage: 'banner',
      error: expect.stringMatching(/^reply-too-large/),
    });
    expect(machine.bufferedBytes).toBeLessThan(3 * DEFAULT_LIMITS.maxReplyBytes);
  });

  it('stops at the first 128 bytes of a 10 MB plaintext flood after STARTTLS 220; none of it reaches TLS', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    machine.handle(data(POSTFIX_BANNER));
    machine.handle(data(POSTFIX_EHLO));
    expect(machine.handle(data('220 Ready\r\n'))).toEqual([{ type: 'start-tls' }]);
    // No line end: the evidence is capped at 128 bytes, so the verdict cannot wait for one.
    const chunk = toBytes('MAIL FROM:<attacker@example.org>'.repeat(32));
    let maxBuffered = 0;
    let fed = 0;
    let result = null;
    while (fed < TEN_MB && result === null) {
      const actions = machine.handle({ type: 'tls-bytes', bytes: chunk });
      expect(actions.some((a) => a.type === 'to-tls')).toBe(false);
      result = doneOf(actions);
      fed += chunk.length;
      maxBuffered = Math.max(maxBuffered, machine.bufferedBytes);
    }
    expect(fed).toBe(chunk.length);
    expect(maxBuffered).toBeLessThan(3 * DEFAULT_LIMITS.maxReplyBytes);
    expect(result).toMatchObject({
      outcome: 'tls-failed',
      error_stage: 'tls',
      tls_error: 'plaintext-after-starttls',
    });
    expect(result?.transcript).toContain(`S(plaintext): ${'MAIL FROM:<attacker@example.org>'.repeat(4)}\n`);
  });

  it('passes TLS records through untouched once their first bytes say TLS', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    machine.handle(data(POSTFIX_BANNER));
    machine.handle(data(POSTFIX_EHLO));
    // A ServerHello record header arriving in the 220's own segment, then the rest: one byte held, then all of it.
    const actions = machine.handle(data('220 Ready\r\n\x16'));
    expect(actions).toEqual([{ type: 'start-tls' }]);
    const rest = machine.handle({ type: 'tls-bytes', bytes: toBytes('\x03\x03\x00\x7a') });
    expect(rest).toEqual([{ type: 'to-tls', bytes: toBytes('\x16\x03\x03\x00\x7a') }]);
    const more = toBytes('\x02\x00\x00\x76');
    expect(machine.handle({ type: 'tls-bytes', bytes: more })).toEqual([{ type: 'to-tls', bytes: more }]);
  });

  it('caps the transcript at maxTranscriptBytes', () => {
    const limits = { ...DEFAULT_LIMITS, maxTranscriptBytes: 200 };
    const machine = new SmtpProbe(probeOptions({ limits }));
    machine.handle({ type: 'connected' });
    machine.handle(data(POSTFIX_BANNER));
    const result = doneOf(machine.handle(data('250-a\r\n250-b\r\n'.repeat(30) + '250 c\r\n')));
    expect(result?.outcome).toBe('no-starttls');
    expect(Buffer.byteLength(result?.transcript ?? '')).toBeLessThanOrEqual(200);
    expect(result?.transcript.endsWith('\n…[truncated]')).toBe(true);
  });
});

describe('SmtpProbe lifecycle', () => {
  it('answers every event after done with nothing', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    expect(doneOf(machine.handle({ type: 'timeout' }))?.outcome).toBe('no-banner');
    expect(machine.isDone).toBe(true);
    expect(machine.handle(data(POSTFIX_BANNER))).toEqual([]);
    expect(machine.handle({ type: 'closed' })).toEqual([]);
    expect(machine.handle({ type: 'tls-established', tls: { version: null, cipher: null, cert: null } })).toEqual([]);
  });

  it('treats a timeout or reset before connected as a connect failure', () => {
    const timedOut = new SmtpProbe(probeOptions());
    expect(doneOf(timedOut.handle({ type: 'timeout' }))).toMatchObject({
      outcome: 'connect-timeout',
      error_stage: 'connect',
    });
    const reset = new SmtpProbe(probeOptions());
    expect(doneOf(reset.handle({ type: 'socket-error', code: 'ECONNRESET' }))).toMatchObject({
      outcome: 'connect-error',
      error: 'ECONNRESET',
    });
  });

  it('ignores TLS events it did not ask for', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    expect(machine.handle({ type: 'tls-established', tls: { version: 'TLSv1.3', cipher: null, cert: null } })).toEqual(
      [],
    );
    expect(machine.handle({ type: 'tls-failed', error: 'x' })).toEqual([]);
    expect(machine.isDone).toBe(false);
  });

  it('decides not-smtp on an SSH banner without waiting for the deadline', () => {
    const machine = new SmtpProbe(probeOptions());
    machine.handle({ type: 'connected' });
    expect(doneOf(machine.handle(data('SSH-2.0-OpenSSH_9.6\r\n')))?.outcome).toBe('not-smtp');
  });

  it.each([
    ['scanner.example.net\r\nMAIL FROM:<x@y>', 'ehloName'],
    ['', 'ehloName'],
    ['bad name', 'ehloName'],
  ])('refuses ehloName %j with a UsageError naming it', (ehloName, key) => {
    expect(() => new SmtpProbe(probeOptions({ ehloName }))).toThrow(UsageError);
    expect(() => new SmtpProbe(probeOptions({ ehloName }))).toThrow(key);
  });

  it('accepts address literals as ehloName and refuses non-positive limits', () => {
    expect(() => new SmtpProbe(probeOptions({ ehloName: '[192.0.2.7]' }))).not.toThrow();
    expect(() => new SmtpProbe(probeOptions({ ehloName: '[IPv6:2001:db8::7]' }))).not.toThrow();
    expect(() => new SmtpProbe(probeOptions({ limits: { ...DEFAULT_LIMITS, maxReplyBytes: 0 } }))).toThrow(
      /limits\.maxReplyBytes: 0/,
    );
  });
});
