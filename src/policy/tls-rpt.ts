/**
 * SMTP TLS Reporting (RFC 8460 §3): the `_smtp._tls` TXT record and its
 * `rua` destinations. Recorded only: stripscan never sends a report or
 * contacts a destination.
 */
export type TlsRptTxt =
  | { kind: 'none' }
  | { kind: 'ok'; record: string; rua: string[] }
  | { kind: 'malformed'; record: string; problem: string }
  /** §3: more than one `v=TLSRPTv1` record means the domain does not implement TLSRPT. */
  | { kind: 'multiple'; records: string[] };

/** §3: `mailto:` or `https:` URIs; a `,` or `;` inside one must be percent-encoded, so neither appears. */
const RUA_URI = /^(?:mailto|https):[^\s,;]+$/i;
const EXTENSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * Records not beginning with `v=TLSRPTv1` are discarded; exactly one must
 * remain: `v=TLSRPTv1; rua=URI[,URI…]`, fields separated by `;` with optional
 * whitespace, extensions allowed, `rua` required.
 */
export function parseTlsRptTxt(records: readonly string[]): TlsRptTxt {
  const rpt = records.filter((r) => r.startsWith('v=TLSRPTv1'));
  if (rpt.length === 0) return { kind: 'none' };
  if (rpt.length > 1) return { kind: 'multiple', records: rpt };
  const record = rpt[0] ?? '';
  const fields = record.split(';').map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (fields[fields.length - 1] === '') fields.pop();
  if (fields[0] !== 'v=TLSRPTv1')
    return { kind: 'malformed', record, problem: 'the version field is not exactly v=TLSRPTv1' };
  let rua: string[] | null = null;
  for (const field of fields.slice(1)) {
    if (field.startsWith('rua=')) {
      const uris = field
        .slice(4)
        .split(',')
        .map((u) => u.replace(/^[ \t]+|[ \t]+$/g, ''));
      const bad = uris.find((u) => !RUA_URI.test(u));
      if (bad !== undefined)
        return { kind: 'malformed', record, problem: `rua ${JSON.stringify(bad)} is not a mailto: or https: URI` };
      rua ??= uris;
    } else if (!EXTENSION.test(field)) {
      return { kind: 'malformed', record, problem: `bad field ${JSON.stringify(field)}` };
    }
  }
  if (rua === null) return { kind: 'malformed', record, problem: 'no rua field' };
  return { kind: 'ok', record, rua };
}
