import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTCOMES, FINGERPRINTS, ERROR_STAGES } from '../../../src/record.js';
import { SmtpProbe, type ProbeResult } from '../../../src/probe/smtp/index.js';
import { probeOptions, replay, type Chunking, type Session, type Step } from './replay.js';
import { TLS13 } from './sessions.js';

const line = fc.stringMatching(/^[ -~]{0,40}$/).map((s) => s.replace(/\\/g, '/'));
const keyword = fc.oneof(
  fc.constantFrom(
    'STARTTLS',
    'PIPELINING',
    'SIZE 10240000',
    'XXXXXXXA',
    'XXXB',
    'XFORWARD NAME',
    '8BITMIME',
    'starttls',
  ),
  line,
);
const code = fc.constantFrom(220, 250, 421, 454, 500, 502, 554);

function reply(c: number, texts: string[]): string {
  return texts.map((t, i) => `${c}${i === texts.length - 1 ? ' ' : '-'}${t}\r\n`).join('');
}

/** A well-formed session: random banner, EHLO reply, STARTTLS reply and TLS result, keyed to the machine's actions. */
const session: fc.Arbitrary<Session> = fc
  .record({
    force: fc.boolean(),
    bannerCode: fc.constantFrom(220, 220, 220, 554),
    banner: fc.array(line, { minLength: 1, maxLength: 3 }),
    ehloCode: fc.constantFrom(250, 250, 250, 502),
    keywords: fc.array(keyword, { maxLength: 8 }),
    starttlsCode: code,
    starttlsText: fc.oneof(line, fc.constant('5.5.1 Command unrecognized: "XXXXXXXX"')),
    tlsOk: fc.boolean(),
  })
  .map((r): Session => {
    const steps: Step[] = [{ on: 'connect', server: reply(r.bannerCode, r.banner) }];
    if (r.bannerCode === 220) {
      if (r.ehloCode === 250) {
        steps.push({ on: 'EHLO', server: reply(250, ['mail.example.com', ...r.keywords]) });
      } else {
        steps.push({ on: 'EHLO', server: reply(502, ['no']) }, { on: 'HELO', server: reply(250, ['ok']) });
      }
      const advertised = r.ehloCode === 250 && r.keywords.some((k) => k.split(' ')[0]?.toUpperCase() === 'STARTTLS');
      if (advertised || r.force) {
        steps.push({ on: 'STARTTLS', server: reply(r.starttlsCode, [r.starttlsText]) });
        if (r.starttlsCode === 220) {
          steps.push({
            on: 'start-tls',
            event: r.tlsOk ? { type: 'tls-established', tls: TLS13 } : { type: 'tls-failed', error: 'alert' },
          });
          if (r.tlsOk) steps.push({ on: 'EHLO', server: reply(250, ['mail.example.com', 'PIPELINING']) });
        }
      }
    }
    return { options: { forceStartTls: r.force }, steps };
  });

function randomChunking(seed: number): Chunking {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state;
  };
  return (bytes) => {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const size = 1 + (next() % 16);
      out.push(bytes.subarray(at, at + size));
      at += size;
    }
    return out;
  };
}

function expectValidRecord(r: ProbeResult): void {
  expect(OUTCOMES).toContain(r.outcome);
  for (const f of r.fingerprints) expect(FINGERPRINTS).toContain(f);
  // Fingerprints come in FINGERPRINTS order without duplicates.
  expect(r.fingerprints).toEqual(FINGERPRINTS.filter((f) => r.fingerprints.includes(f)));
  if (r.error_stage !== null) expect(ERROR_STAGES).toContain(r.error_stage);
  expect(r.error === null).toBe(r.error_stage === null);
  // A stripped verdict always rests on evidence that is not a masked banner.
  if (r.outcome === 'starttls-stripped') {
    expect(r.fingerprints.filter((f) => f !== 'masked-banner').length).toBeGreaterThan(0);
  }
}

describe('properties', () => {
  it('random chunking of a valid session never changes the commands or the record', () => {
    fc.assert(
      fc.property(session, fc.integer(), (s, seed) => {
        const whole = replay(s);
        const cut = replay(s, randomChunking(seed));
        expect(cut.sent).toEqual(whole.sent);
        expect(cut.result).toEqual(whole.result);
        expectValidRecord(whole.result);
        // Only the verbs this probe may ever send.
        for (const command of whole.sent)
          expect(command).toMatch(/^(EHLO|HELO) scanner\.example\.net\r\n$|^STARTTLS\r\n$|^QUIT\r\n$/);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary bytes never throw and end in a valid record after a timeout', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc
              .constantFrom('220 ', '250-', '250 ', '\r\n', 'STARTTLS')
              .map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0))),
          ),
          { maxLength: 40 },
        ),
        fc.boolean(),
        fc.boolean(),
        (chunks, force, implicit) => {
          const machine = new SmtpProbe(probeOptions({ forceStartTls: force, implicitTls: implicit }));
          let result: ProbeResult | null = null;
          const take = (actions: ReturnType<SmtpProbe['handle']>) => {
            for (const a of actions) if (a.type === 'done') result = a.result;
            if (actions.some((a) => a.type === 'start-tls'))
              take(machine.handle({ type: 'tls-established', tls: TLS13 }));
          };
          take(machine.handle({ type: 'connected' }));
          for (const bytes of chunks) take(machine.handle({ type: 'data', bytes }));
          take(machine.handle({ type: 'timeout' }));
          expect(machine.isDone).toBe(true);
          expect(result).not.toBeNull();
          expectValidRecord(result as unknown as ProbeResult);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
