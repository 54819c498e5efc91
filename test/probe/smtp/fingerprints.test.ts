import { describe, expect, it } from 'vitest';
import { findCorruptedEcho, isMaskedBanner, isMaskedKeyword } from '../../../src/probe/smtp/index.js';
import { echoedTokens } from '../../../src/probe/smtp/fingerprints.js';

describe('masked EHLO keyword (Cisco ASA)', () => {
  it.each(['XXXXXXXA', 'XXXB', 'XXXXXXXX', 'XXX', 'XXA', 'XXXXXXXA some parameter'])('matches %s', (line) => {
    expect(isMaskedKeyword(line)).toBe(true);
  });
  // Real extensions that start with X must never look masked.
  it.each([
    'XEXCH50',
    'X-EXPS GSSAPI NTLM',
    'X-LINK2STATE',
    'XFORWARD NAME ADDR PROTO HELO',
    'XCLIENT NAME ADDR',
    'XADR',
    'XRDST',
    'XSHADOW',
    'X-ANONYMOUSTLS',
    'XOORG',
    'XSECURE',
    'XX',
    'X',
    'xxxxxxxa',
    'XXXXXXXAB',
    'XXXXXXX1',
    'STARTTLS',
    '',
  ])('does not match %s', (line) => {
    expect(isMaskedKeyword(line)).toBe(false);
  });
});

describe('masked banner (PIX MailGuard)', () => {
  it.each([
    ['****************************'],
    ['******************************2*******0**********'],
    ['****'],
    ['** 2 0 **'],
  ])('matches %s', (text) => expect(isMaskedBanner([text])).toBe(true));
  it.each([['mail.example.com ESMTP'], ['*'], ['***'], ['2020 ***'], ['**** ESMTP'], ['']])(
    'does not match %s',
    (text) => expect(isMaskedBanner([text])).toBe(false),
  );
  it('matches when any line of a multi-line banner is masked', () => {
    expect(isMaskedBanner(['mail.example.com', '*********'])).toBe(true);
  });
});

describe('corrupted command echo', () => {
  it('finds quoted and colon echoes', () => {
    expect(echoedTokens(['5.5.1 Command unrecognized: "XXXXXXXX"'])).toContain('XXXXXXXX');
    expect(echoedTokens(["command 'STARTTLS' unknown"])).toEqual(['STARTTLS']);
    expect(echoedTokens(['unrecognized command: XXXXXXXX'])).toEqual(['XXXXXXXX']);
    expect(echoedTokens(['bad <STARTTLX>'])).toEqual(['STARTTLX']);
  });

  it.each([
    ['5.5.1 Command unrecognized: "XXXXXXXX"', 'XXXXXXXX'],
    ['unrecognized command: XXXXXXXX', 'XXXXXXXX'],
    ['Unknown command `XXXXXX`', 'XXXXXX'],
    ['Command "STARTTLZ" not recognized', 'STARTTLZ'],
    ['Command "XXXXXXXA" not recognized', 'XXXXXXXA'],
  ])('flags %s', (text, echo) => {
    expect(findCorruptedEcho([text], 'STARTTLS')).toBe(echo);
  });

  it.each([
    ['5.5.1 Command unrecognized: "STARTTLS"'],
    ['5.5.1 Command unrecognized: "starttls"'],
    ['5.5.1 Command unrecognized: ""'],
    ['5.5.2 Error: command not recognized'],
    ['4.7.0 TLS not available due to local problem'],
    ['5.5.1 Command unrecognized: "HELP"'],
    ['Unknown command "XXX"'],
  ])('does not flag %s', (text) => {
    expect(findCorruptedEcho([text], 'STARTTLS')).toBeNull();
  });
});
