import { describe, expect, it } from 'vitest';
import { CERT_VALIDITIES, ERROR_STAGES, FINGERPRINTS, OUTCOMES, STRIP_EVIDENCE } from '../src/record.js';

// Wire values are stored in ClickHouse and published in papers: lock them.
describe('record vocabulary', () => {
  it('keeps the outcome wire values', () => {
    expect(OUTCOMES).toEqual([
      'connect-refused',
      'connect-timeout',
      'connect-error',
      'no-banner',
      'not-smtp',
      'smtp-rejected',
      'ehlo-failed',
      'no-starttls',
      'starttls-stripped',
      'starttls-refused',
      'tls-failed',
      'tls-ok',
      'timeout',
    ]);
  });
  it('keeps the fingerprint and stage wire values', () => {
    expect(FINGERPRINTS).toEqual(['masked-ehlo-keyword', 'masked-banner', 'corrupted-command-echo', 'hidden-starttls']);
    expect(ERROR_STAGES).toEqual(['connect', 'banner', 'ehlo', 'starttls', 'tls', 'post-tls']);
    expect(STRIP_EVIDENCE).toEqual(['direct', 'circumstantial']);
    expect(CERT_VALIDITIES).toEqual(['current', 'expired', 'not-yet-valid']);
  });
});
