/**
 * MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy text, parsed
 * strictly by the RFC's grammar, and an MX matched against the policy's `mx`
 * patterns. Pure: the fetching is src/domains/policy-fetch.ts.
 */
import { canonicalHost } from './host-pattern.js';

export const MTA_STS_MODES = ['enforce', 'testing', 'none'] as const;
export type MtaStsMode = (typeof MTA_STS_MODES)[number];

/** RFC 8461 §3.2: "max_age … maximum value of 31557600" (a year). */
export const MAX_MAX_AGE = 31_557_600;

export type MtaStsTxt =
  /** No record begins with `v=STSv1`: the domain publishes no policy. */
  | { kind: 'none' }
  | { kind: 'ok'; id: string; record: string }
  | { kind: 'malformed'; record: string; problem: string }
  /** §3.1: more than one `v=STSv1` record means no usable policy. */
  | { kind: 'multiple'; records: string[] };

export interface MtaStsPolicy {
  mode: MtaStsMode;
  /** The `mx` patterns, lower case, in the order given. */
  mx: string[];
  maxAge: number;
}

export type MtaStsPolicyParse = { ok: true; policy: MtaStsPolicy } | { ok: false; problem: string };

const TXT_ID = /^id=([A-Za-z0-9]{1,32})$/;
const TXT_EXTENSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * RFC 8461 §3.1: records not beginning with `v=STSv1` are discarded; exactly
 * one must remain, of the form `v=STSv1; id=<1–32 alphanumerics>` with
 * optional extensions `name=value`, fields separated by `;` and optional
 * whitespace, a trailing `;` allowed.
 */
export function parseMtaStsTxt(records: readonly string[]): MtaStsTxt {
  const sts = records.filter((r) => r.startsWith('v=STSv1'));
  if (sts.length === 0) return { kind: 'none' };
  if (sts.length > 1) return { kind: 'multiple', records: sts };
  const record = sts[0] ?? '';
  const fields = record.split(';').map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (fields[fields.length - 1] === '') fields.pop();
  if (fields[0] !== 'v=STSv1')
    return { kind: 'malformed', record, problem: 'the version field is not exactly v=STSv1' };
  let id: string | null = null;
  for (const field of fields.slice(1)) {
    const match = TXT_ID.exec(field);
    if (match) {
      id ??= match[1] ?? null;
    } else if (field.startsWith('id=')) {
      return { kind: 'malformed', record, problem: `bad id ${JSON.stringify(field)} (1 to 32 letters or digits)` };
    } else if (!TXT_EXTENSION.test(field)) {
      return { kind: 'malformed', record, problem: `bad field ${JSON.stringify(field)}` };
    }
  }
  if (id === null) return { kind: 'malformed', record, problem: 'no id field' };
  return { kind: 'ok', id, record };
}

const FIELD_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const MX_PATTERN = /^(\*\.)?[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)+$/;

/**
 * RFC 8461 §3.2: `key: value` lines ending in LF or CRLF; `version: STSv1`,
 * `mode` (enforce, testing, none) and `max_age` (1 to 10 digits, at most a
 * year) are required, `mx` patterns are required unless the mode is none,
 * other fields are extensions and ignored. A field given twice keeps its
 * first value (mx accumulates). An absent or unreadable required field makes
 * the policy malformed: senders then have no policy (§3.2, §5).
 */
export function parseMtaStsPolicy(text: string): MtaStsPolicyParse {
  const fields = new Map<string, string>();
  const mx: string[] = [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (!FIELD_NAME.test(name)) return { ok: false, problem: `line ${i + 1} is not a "name: value" field` };
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (name === 'mx') {
      const pattern = value.toLowerCase().replace(/\.$/, '');
      if (!MX_PATTERN.test(pattern))
        return { ok: false, problem: `line ${i + 1}: bad mx pattern ${JSON.stringify(value)}` };
      mx.push(pattern);
    } else if (!fields.has(name)) {
      fields.set(name, value);
    }
  }
  const version = fields.get('version');
  if (version !== 'STSv1')
    return {
      ok: false,
      problem: version === undefined ? 'no version field' : `version ${JSON.stringify(version)} is not STSv1`,
    };
  const mode = fields.get('mode');
  if (!isMode(mode))
    return {
      ok: false,
      problem: mode === undefined ? 'no mode field' : `mode ${JSON.stringify(mode)} is not enforce, testing or none`,
    };
  const maxAgeText = fields.get('max_age');
  if (maxAgeText === undefined || !/^\d{1,10}$/.test(maxAgeText)) {
    return {
      ok: false,
      problem:
        maxAgeText === undefined ? 'no max_age field' : `max_age ${JSON.stringify(maxAgeText)} is not 1 to 10 digits`,
    };
  }
  const maxAge = Number(maxAgeText);
  if (maxAge > MAX_MAX_AGE) return { ok: false, problem: `max_age ${maxAge} is over ${MAX_MAX_AGE}` };
  if (mode !== 'none' && mx.length === 0) return { ok: false, problem: `mode ${mode} with no mx pattern` };
  return { ok: true, policy: { mode, mx, maxAge } };
}

function isMode(value: string | undefined): value is MtaStsMode {
  return (MTA_STS_MODES as readonly (string | undefined)[]).includes(value);
}

/**
 * RFC 8461 §4.1: an MX host matches a pattern that names it exactly, or a
 * `*.` pattern whose wildcard stands for exactly one left-most label
 * (`*.example.com` matches `mx.example.com`, not `example.com` nor
 * `a.b.example.com`).
 */
export function mxMatchesPattern(mxHost: string, pattern: string): boolean {
  const host = canonicalHost(mxHost);
  const p = canonicalHost(pattern);
  if (!p.startsWith('*.')) return host === p;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === p.slice(2);
}

export function mxMatchesPolicy(mxHost: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => mxMatchesPattern(mxHost, p));
}
