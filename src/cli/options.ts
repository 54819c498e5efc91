/**
 * Parsers for command-line values. Each throws a UsageError that names the
 * flag, the bad value and what was expected, so the CLI exits 2 with a message
 * a user can act on.
 */
import { UsageError } from '../errors.js';

export function parseIntInRange(flag: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const trimmed = value.trim();
    if (!/^-?\d+$/.test(trimmed)) {
      throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
    }
    const n = Number(trimmed);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function parseNumberInRange(flag: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a number from ${min} to ${max}`);
    }
    return n;
  };
}

export const parsePort = parseIntInRange('--port', 1, 65535);

/** A DNS name as sent in EHLO: letters, digits, hyphens and dots, no spaces or control bytes. */
export function parseHostname(flag: string): (value: string) => string {
  return (value: string) => {
    if (
      value.length > 253 ||
      !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value)
    ) {
      throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a fully qualified domain name`);
    }
    return value;
  };
}

/**
 * Where network operators reach the scan's author: an http(s) URL (an
 * opt-out page) or a mail address (`mailto:` optional). Anything else would
 * be stored and shown to nobody's benefit.
 */
export function parseContact(flag: string): (value: string) => string {
  return (value: string) => {
    const trimmed = value.trim();
    const mail =
      /^(?:mailto:)?[^\s@<>()"',;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
    if (mail.test(trimmed)) return trimmed;
    let url: URL | null = null;
    try {
      url = new URL(trimmed);
    } catch {
      // not a URL either
    }
    if (url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '') return trimmed;
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected an http(s) URL (https://example.org/scan) or a mail address (scan@example.org)`,
    );
  };
}
