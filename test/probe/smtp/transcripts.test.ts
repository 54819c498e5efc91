import { describe, expect, it } from 'vitest';
import { OUTCOMES, type ErrorStage, type Outcome } from '../../../src/record.js';
import type { ProbeEvent } from '../../../src/probe/smtp/index.js';
import { allChunkings, replay, type Replay, type Session } from './replay.js';
import { CASES, EHLO, STARTTLS, postfixCutShort } from './sessions.js';

/** Same commands, same record, however TCP cut the bytes. (String compare first: thousands of cuts per session.) */
function expectSameUnderEveryChunking(session: Session, reference: Replay): void {
  const want = JSON.stringify([reference.sent, reference.result]);
  for (const { name, chunking } of allChunkings(session)) {
    const cut = replay(session, chunking);
    if (JSON.stringify([cut.sent, cut.result]) === want) continue;
    expect(cut.sent, name).toEqual(reference.sent);
    expect(cut.result, name).toEqual(reference.result);
  }
}

describe('scripted sessions', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const reference = replay(c.session);
      expect(reference.sent).toEqual(c.sent);
      expect(reference.result).toMatchObject(c.expect);
      expect(OUTCOMES).toContain(reference.result.outcome);
      // error and error_stage are null together: a stopped probe always says why.
      expect(reference.result.error === null).toBe(reference.result.error_stage === null);
      if (c.transcript !== undefined) {
        const lines = reference.result.transcript.split('\n');
        let from = 0;
        for (const want of c.transcript) {
          const at = lines.indexOf(want, from);
          expect(
            at,
            `transcript line ${JSON.stringify(want)} in order in\n${reference.result.transcript}`,
          ).toBeGreaterThanOrEqual(0);
          from = at + 1;
        }
      }
      expectSameUnderEveryChunking(c.session, reference);
    });
  }
});

describe('the connection ends at every stage', () => {
  const endings: { event: ProbeEvent; error: string }[] = [
    { event: { type: 'closed' }, error: 'closed' },
    { event: { type: 'socket-error', code: 'ECONNRESET' }, error: 'ECONNRESET' },
    { event: { type: 'timeout' }, error: 'timeout' },
  ];
  const stages: { steps: number; partial: string; outcome: Outcome; stage: ErrorStage; sent: string[] }[] = [
    { steps: 0, partial: '', outcome: 'no-banner', stage: 'banner', sent: [] },
    { steps: 0, partial: '220-mail.example.com\r\n220 wai', outcome: 'no-banner', stage: 'banner', sent: [] },
    { steps: 1, partial: '', outcome: 'ehlo-failed', stage: 'ehlo', sent: [EHLO] },
    {
      steps: 1,
      partial: '250-mail.example.com\r\n250-STARTTLS\r\n',
      outcome: 'ehlo-failed',
      stage: 'ehlo',
      sent: [EHLO],
    },
    { steps: 2, partial: '', outcome: 'starttls-refused', stage: 'starttls', sent: [EHLO, STARTTLS] },
    { steps: 2, partial: '220 Rea', outcome: 'starttls-refused', stage: 'starttls', sent: [EHLO, STARTTLS] },
    { steps: 3, partial: '', outcome: 'tls-failed', stage: 'tls', sent: [EHLO, STARTTLS] },
    {
      steps: 4,
      partial: '250-mail.example.com\r\n',
      outcome: 'tls-ok',
      stage: 'post-tls',
      sent: [EHLO, STARTTLS, EHLO],
    },
  ];
  // A deadline after the banner is ours, not the server's answer (issue 10): never ehlo-failed, starttls-refused
  // or tls-failed. Before the banner it is no-banner; after a completed handshake, tls-ok with a post-tls error.
  const outcomeOf = (s: (typeof stages)[number], error: string): Outcome =>
    error === 'timeout' && s.outcome !== 'no-banner' && s.outcome !== 'tls-ok' ? 'timeout' : s.outcome;
  for (const s of stages) {
    for (const end of endings) {
      const outcome = outcomeOf(s, end.error);
      it(`${end.error} after ${s.steps} steps${s.partial ? ' mid-reply' : ''} → ${outcome}`, () => {
        const session = postfixCutShort(s.steps, s.partial, end.event);
        const reference = replay(session);
        expect(reference.sent).toEqual(s.sent);
        expect(reference.result).toMatchObject({ outcome, error_stage: s.stage, error: end.error });
        if (s.stage === 'tls') expect(reference.result.tls_error).toBe(end.error);
        expectSameUnderEveryChunking(session, reference);
      });
    }
  }

  it('maps connect failures to their outcomes', () => {
    const run = (code: string, timedOut: boolean) =>
      replay({ open: { type: 'connect-failed', code, timedOut }, steps: [] }).result;
    expect(run('ECONNREFUSED', false)).toMatchObject({
      outcome: 'connect-refused',
      error_stage: 'connect',
      error: 'ECONNREFUSED',
    });
    expect(run('ETIMEDOUT', true)).toMatchObject({
      outcome: 'connect-timeout',
      error_stage: 'connect',
      error: 'ETIMEDOUT',
    });
    expect(run('EHOSTUNREACH', false)).toMatchObject({
      outcome: 'connect-error',
      error_stage: 'connect',
      error: 'EHOSTUNREACH',
    });
    expect(run('ECONNREFUSED', false).transcript).toBe('');
  });
});
