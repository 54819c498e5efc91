/**
 * Reply texts the personas share, modelled on Postfix, Sendmail and Cisco
 * devices as seen in public traces (FIELD-NOTES §1). Written here once so the
 * persona table stays readable.
 */
import { SIM_HOST } from './certificates.js';

export const BANNER_POSTFIX = `220 ${SIM_HOST} ESMTP Postfix (Debian/GNU)\r\n`;

const EHLO_HEAD = [`${SIM_HOST}`, 'PIPELINING', 'SIZE 10240000', 'VRFY', 'ETRN'];
const EHLO_TAIL = ['ENHANCEDSTATUSCODES', '8BITMIME', 'DSN'];

/** A multi-line reply with one code: `ddd-` on every line but the last. */
export function multiline(code: number, lines: readonly string[]): string {
  return lines.map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${line}\r\n`).join('');
}

export const EHLO_WITH_STARTTLS = multiline(250, [...EHLO_HEAD, 'STARTTLS', ...EHLO_TAIL]);
export const EHLO_WITHOUT_STARTTLS = multiline(250, [...EHLO_HEAD, ...EHLO_TAIL]);
/** Cisco ASA ESMTP inspection: the STARTTLS keyword overwritten with X's and a sequence letter. */
export const EHLO_ASA_MASKED = multiline(250, [...EHLO_HEAD, 'XXXXXXXA', ...EHLO_TAIL]);
/** The all-X variant EFF counted in 2018 (`250 XXXXXXXX`). */
export const EHLO_ALL_X = multiline(250, [...EHLO_HEAD, 'ENHANCEDSTATUSCODES', '8BITMIME', 'XXXXXXXX']);
/** A four-letter mask (some other extension) and no STARTTLS at all. */
export const EHLO_SHORT_MASK = multiline(250, [...EHLO_HEAD, 'XXXA', ...EHLO_TAIL]);
/** A box that masked another extension and left STARTTLS alone. */
export const EHLO_MASKED_BESIDE_STARTTLS = multiline(250, [...EHLO_HEAD, 'XXXB', 'STARTTLS', ...EHLO_TAIL]);
/** Inside TLS a server no longer offers STARTTLS. */
export const EHLO_INSIDE_TLS = EHLO_WITHOUT_STARTTLS;
export const HELO_OK = `250 ${SIM_HOST}\r\n`;

export const STARTTLS_READY = '220 2.0.0 Ready to start TLS\r\n';
export const STARTTLS_TEMP_FAIL = '454 4.7.0 TLS not available due to local problem\r\n';
export const NOT_RECOGNIZED = '502 5.5.2 Error: command not recognized\r\n';
/** Postfix's answer to a verb it knows but does not offer (STARTTLS with smtpd_discard_ehlo_keywords = starttls). */
export const NOT_IMPLEMENTED = '502 5.5.1 Error: command not implemented\r\n';
/** A refusal that quotes an eight-letter word: never a command echo. */
export const STARTTLS_DISABLED_QUOTED = "454 4.7.0 TLS not available: 'disabled'\r\n";
/** No reply at all: the connection idles until the client gives up. */
export const SILENT = '';
/** Sendmail's echo of the command it received: here the path replaced STARTTLS with X's. */
export const ECHO_CORRUPTED = '500 5.5.1 Command unrecognized: "XXXXXXXX"\r\n';
export const TLS_ALREADY_ACTIVE = '554 5.5.1 Error: TLS already active\r\n';
export const QUIT_BYE = '221 2.0.0 Bye\r\n';
export const OK = '250 2.0.0 Ok\r\n';
export const LINE_TOO_LONG = '500 5.5.2 Error: line too long\r\n';

/** 1,000 keyword lines: past any sane reply limit (the probe's default is 200 lines). */
export const EHLO_OVERSIZED = multiline(250, [
  SIM_HOST,
  ...Array.from({ length: 999 }, (_, i) => `SIM-PADDING-${String(i).padStart(4, '0')}`),
]);
