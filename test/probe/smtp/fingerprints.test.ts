import { describe, expect, it } from 'vitest';
import { findCorruptedEcho, isMaskedBanner, isMaskedKeyword } from '../../../src/probe/smtp/index.js';
import { echoedTokens, isStarttlsLengthMask, isUnknownCommandReply } from '../../../src/probe/smtp/fingerprints.js';

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

  // RFC 5321 §4.2.2: 500 = command unrecognized; Postfix uses 502 "not recognized" for unknown verbs too.
  it.each([
    [500, '5.5.1 Command unrecognized: "XXXXXXXX"', 'XXXXXXXX'], // Sendmail's echo (FIELD-NOTES §1)
    [500, 'Error: command "XXXXXXXX" not recognized', 'XXXXXXXX'], // aiosmtpd's echo
    [500, 'unrecognized command: XXXXXXXX', 'XXXXXXXX'],
    [500, 'Unknown command `XXXXXX`', 'XXXXXX'],
    [502, '5.5.2 Command "STARTTLZ" not recognized', 'STARTTLZ'],
    [500, "5.3.3 Unrecognized command 'XXXXXXXA'", 'XXXXXXXA'],
  ])('flags %i %s', (code, text, echo) => {
    expect(findCorruptedEcho({ code, texts: [text] }, 'STARTTLS')).toBe(echo);
  });

  it.each([
    [500, '5.5.1 Command unrecognized: "STARTTLS"'], // the command we sent, echoed faithfully
    [500, '5.5.1 Command unrecognized: "starttls"'], // RFC 5321: verbs are case-insensitive
    [500, '5.5.1 Command unrecognized: ""'],
    [502, '5.5.2 Error: command not recognized'], // Postfix: no echo at all
    [500, 'unrecognized command'], // Exim: no echo
    [500, '5.5.1 Command unrecognized: "HELP"'], // another length, not X's: the server's own wording
    [500, 'Unknown command "XXX"'], // too short for a rewrite of STARTTLS
    [500, 'Error: command "AB CD EF" not recognized'], // a sentence, not a command
    // Refusals are never echoes, whatever they quote (issue 10: 454 'disabled' was once an accusation).
    [454, "4.7.0 TLS not available: 'disabled'"],
    [454, '4.7.0 TLS not available due to local problem'],
    [503, '5.5.1 Error: "XXXXXXXX" out of sequence'],
    [502, '5.5.1 Error: command not implemented "XXXXXXXX"'], // knows the verb: not an unknown-command reply
    [421, '4.7.0 "XXXXXXXX" closing'],
  ])('does not flag %i %s', (code, text) => {
    expect(findCorruptedEcho({ code, texts: [text] }, 'STARTTLS')).toBeNull();
  });
});

describe('unknown-command reply (RFC 5321 §4.2.2, Postfix, Exim)', () => {
  it.each([
    [500, 'unrecognized command', true], // Exim
    [502, '5.5.2 Error: command not recognized', true], // Postfix, unknown verb
    [500, '5.5.1 Command unrecognized: "XXXXXXXX"', true], // Sendmail
    [500, 'Error: command "XXXXXXXX" not recognized', true], // aiosmtpd
    [502, '5.5.1 Error: command not implemented', false], // Postfix knows STARTTLS but offers no TLS
    [502, 'Command not implemented', false],
    [500, '5.5.1 Command not implemented', false],
    [454, '4.7.0 TLS not available due to local problem', false],
    [503, '5.5.1 Error: send HELO/EHLO first', false],
  ])('%i %s → %s', (code, text, unknown) => {
    expect(isUnknownCommandReply({ code, texts: [text] })).toBe(unknown);
  });
});

describe('STARTTLS-length mask', () => {
  it.each(['XXXXXXXA', 'XXXXXXXX', 'XXXXXXXB 123'])('%s stands where STARTTLS could have been', (line) => {
    expect(isStarttlsLengthMask(line)).toBe(true);
  });
  it.each(['XXXB', 'XXXXXXXXXA', 'XXXXXXA', 'STARTTLS', 'XFORWARD'])('%s cannot be a masked STARTTLS', (line) => {
    expect(isStarttlsLengthMask(line)).toBe(false);
  });
});
