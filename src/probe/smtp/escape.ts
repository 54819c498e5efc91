/**
 * Escaping of server-sent bytes for the record.
 *
 * Every string a server sends ends up in ClickHouse, in CSV exports and on a
 * researcher's terminal, so it must not carry control bytes, and it must stay
 * evidence: valid UTF-8 is kept as written, and everything else becomes `\xNN`
 * for the byte it was, so the original bytes can be recovered (a backslash is
 * doubled so that `\x` in the output always means an escape).
 *
 * Callers escape whole lines, never chunks: a multibyte character split
 * across two TCP segments must decode as one character.
 */

const BACKSLASH = 0x5c;

function hexByte(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** Control code points, C0, DEL and C1: terminals act on them, so they are escaped even inside valid UTF-8. */
function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/**
 * Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes
 * there are not one (stray continuation byte, overlong form, surrogate,
 * above U+10FFFF, truncated).
 */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  let length: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > bytes.length) return 0;
  let codePoint = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k] ?? 0;
    if ((b & 0xc0) !== 0x80) return 0;
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return 0;
  return length;
}

function decodeSequence(bytes: Uint8Array, i: number, length: number): number {
  const b0 = bytes[i] ?? 0;
  let codePoint = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) codePoint = (codePoint << 6) | ((bytes[i + k] ?? 0) & 0x3f);
  return codePoint;
}

/** Printable ASCII other than the backslash: each such byte is its own character in the output. */
function isPlain(byte: number): boolean {
  return byte >= 0x20 && byte < 0x7f && byte !== BACKSLASH;
}

/** For printable ASCII, UTF-8 decoding gives each byte as its own character: one native call per line. */
const ASCII = new TextDecoder();

/** Escape server bytes: valid UTF-8 kept, `\` → `\\`, control and invalid bytes → `\xNN` (lowercase hex). */
export function escapeBytes(bytes: Uint8Array): string {
  // Nearly every line a server sends is printable ASCII: one string built in one call, instead of one
  // concatenation per byte (each a heap object: most of a probe's garbage before this path).
  if (bytes.every(isPlain)) return ASCII.decode(bytes);
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b === BACKSLASH) {
      out += '\\\\';
      i += 1;
    } else if (b < 0x80) {
      out += isControl(b) ? hexByte(b) : String.fromCharCode(b);
      i += 1;
    } else {
      const length = utf8SequenceLength(bytes, i);
      if (length === 0) {
        out += hexByte(b);
        i += 1;
        continue;
      }
      const codePoint = decodeSequence(bytes, i, length);
      if (isControl(codePoint)) {
        for (let k = 0; k < length; k++) out += hexByte(bytes[i + k] ?? 0);
      } else {
        out += String.fromCodePoint(codePoint);
      }
      i += length;
    }
  }
  return out;
}

/** The inverse, for tests and for researchers who need the original bytes back. */
export function unescapeToBytes(escaped: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  let i = 0;
  while (i < escaped.length) {
    if (escaped[i] === '\\' && escaped[i + 1] === '\\') {
      out.push(BACKSLASH);
      i += 2;
    } else if (escaped[i] === '\\' && escaped[i + 1] === 'x') {
      out.push(Number.parseInt(escaped.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      const codePoint = escaped.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      out.push(...encoder.encode(char));
      i += char.length;
    }
  }
  return Uint8Array.from(out);
}
