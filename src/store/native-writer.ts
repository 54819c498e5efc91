/**
 * Bytes of ClickHouse's Native format, written straight into one growing
 * Buffer: no per-field strings, no intermediate arrays. Native is columnar:
 * a block is `varint columns, varint rows`, then per column its name, its
 * type name and all its values (fixed-width values little-endian, strings as
 * `varint length, bytes`, Nullable as a null map before the values, Array as
 * cumulative UInt64 offsets before the nested values).
 */

/**
 * ASCII strings shorter than this are copied by a loop: cheaper than a call
 * into C++ per string (profiled), and their length fits in one byte.
 */
const LOOP_MAX = 128;
const INITIAL_BYTES = 1 << 16;

export class NativeWriter {
  private buf: Buffer;
  private at = 0;

  constructor(expectedBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(expectedBytes, 64));
  }

  get length(): number {
    return this.at;
  }

  /** Bytes it can hold before it grows. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Starts over, keeping the memory. */
  clear(): void {
    this.at = 0;
  }

  /** The bytes written so far (a view, no copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    const need = this.at + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  /** Raw bytes prepared earlier (a column header). */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  varint(value: number): void {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
  }

  // The fixed-width writers below assume reserve() was called for the whole
  // column (rows × width), so that the per-value path has no bounds logic.

  u8(value: number): void {
    this.buf[this.at++] = value;
  }

  u16(value: number): void {
    const b = this.buf;
    b[this.at] = value;
    b[this.at + 1] = value >>> 8;
    this.at += 2;
  }

  u32(value: number): void {
    const b = this.buf;
    b[this.at] = value;
    b[this.at + 1] = value >>> 8;
    b[this.at + 2] = value >>> 16;
    b[this.at + 3] = value >>> 24;
    this.at += 4;
  }

  /** A non-negative integer below 2^53 as UInt64 (array offsets). */
  u64(value: number): void {
    this.u32(value >>> 0);
    this.u32(Math.floor(value / 0x1_0000_0000));
  }

  /** A signed integer of at most 48 bits as Int64 (DateTime64 milliseconds: ±4,400 years). */
  i64(value: number): void {
    this.buf.writeIntLE(value, this.at, 6);
    const sign = value < 0 ? 0xff : 0;
    this.buf[this.at + 6] = sign;
    this.buf[this.at + 7] = sign;
    this.at += 8;
  }

  /** n zero bytes (the placeholder value under a null). */
  zeros(n: number): void {
    this.buf.fill(0, this.at, this.at + n);
    this.at += n;
  }

  /**
   * A string as `varint byte length, UTF-8 bytes`. Lone surrogates become
   * U+FFFD (EF BF BD), as in Buffer.from(…, 'utf8'): the only UTF-8 they have.
   * Reserves its own room: at most 3 bytes per UTF-16 unit.
   */
  string(s: string): void {
    const len = s.length;
    this.reserve(len * 3 + 5);
    const b = this.buf;
    const start = this.at;
    if (len < LOOP_MAX) {
      // ASCII by hand; the first other character hands the string to the encoder below.
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[start + 1 + i] = c;
      }
      if (i === len) {
        b[start] = len;
        this.at = start + 1 + len;
        return;
      }
    }
    // Room for the length of the worst case (3 bytes per unit) before the text;
    // when the real length needs fewer bytes, the text moves back to meet it.
    const room = varintSize(len * 3);
    const n = b.write(s, start + room);
    const used = varintSize(n);
    if (used < room) b.copyWithin(start + used, start + room, start + room + n);
    this.at = start;
    this.varintUnchecked(n);
    this.at = start + used + n;
  }

  private varintUnchecked(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.at++] = v;
  }
}

function varintSize(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}
