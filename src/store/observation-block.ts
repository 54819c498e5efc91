/**
 * ScanRecords as Native blocks for the observations table: the body of every
 * observation insert (embedded and server) and of every spooled batch.
 *
 * Why Native: chDB parses a typical row from Native in about 1.5 µs of CPU,
 * against 5–7 µs from RowBinary, 2–4 µs from Parquet and about 20 µs from
 * TabSeparated, and the JS side writes it as fast as any of them
 * (docs/schema.md, "Ingest"; bench/store-floor.ts). Columns in RECORD_FIELDS
 * order; the database fills asn, country, asn_dataset and inserted_at.
 *
 * Block types equal the table's, except that LowCardinality columns travel as
 * their plain type (the insert converts them, as it did from text) and enums
 * as the same Enum8 written out from src/record.ts's vocabularies.
 * checkRecord() (check-record.ts) has already refused every value these
 * types cannot hold.
 */
import { parseIpv4 } from '../targets/ipv4.js';
import { parseIpv6 } from '../targets/ipv6.js';
import {
  CERT_STATUSES,
  CERT_VALIDITIES,
  ERROR_STAGES,
  FINGERPRINTS,
  OUTCOMES,
  RECORD_FIELDS,
  STRIP_EVIDENCE,
  type ScanRecord,
} from '../record.js';
import { NativeWriter } from './native-writer.js';
import { recordTimeMs } from './record-time.js';

export const OBSERVATION_COLUMNS: readonly string[] = RECORD_FIELDS;

/**
 * One column of the block being built: its values are appended row by row
 * as records arrive (so the work is spread over write() calls, not done in
 * one stall per batch), and copied after the column's header when the block
 * is finished.
 */
interface BlockColumn {
  readonly type: string;
  readonly byteLength: number;
  writeTo(out: NativeWriter): void;
  clear(): void;
}

/**
 * A column's bytes in two parts: `head` holds what Native puts before the
 * values (Nullable(T): a null map, 1 = null, with a placeholder value under
 * each null; Array(T): cumulative UInt64 end offsets), `values` the values.
 */
class Parts implements BlockColumn {
  readonly head = new NativeWriter(1024);
  readonly values = new NativeWriter(4096);
  constructor(readonly type: string) {}
  get byteLength(): number {
    return this.head.length + this.values.length;
  }
  writeTo(out: NativeWriter): void {
    out.raw(this.head.bytes());
    out.raw(this.values.bytes());
  }
  clear(): void {
    this.head.clear();
    this.values.clear();
  }
}

class Strings extends Parts {
  add(s: string): void {
    this.values.string(s);
  }
}

class NullableStrings extends Parts {
  add(s: string | null): void {
    this.head.reserve(1);
    this.head.u8(s === null ? 1 : 0);
    this.values.string(s ?? '');
  }
}

class StringArrays extends Parts {
  private end = 0;
  add(list: readonly string[]): void {
    this.end += list.length;
    this.head.reserve(8);
    this.head.u64(this.end);
    for (const s of list) this.values.string(s);
  }
  override clear(): void {
    super.clear();
    this.end = 0;
  }
}

class UInt16s extends Parts {
  add(v: number): void {
    this.values.reserve(2);
    this.values.u16(v);
  }
}

class UInt32s extends Parts {
  add(v: number): void {
    this.values.reserve(4);
    this.values.u32(v);
  }
}

class NullableUInts extends Parts {
  constructor(
    type: string,
    private readonly width: 2 | 4,
  ) {
    super(`Nullable(${type})`);
  }
  add(v: number | null): void {
    this.head.reserve(1);
    this.head.u8(v === null ? 1 : 0);
    this.values.reserve(4);
    if (this.width === 2) this.values.u16(v ?? 0);
    else this.values.u32(v ?? 0);
  }
}

class Bools extends Parts {
  add(v: boolean): void {
    this.values.reserve(1);
    this.values.u8(v ? 1 : 0);
  }
}

class NullableBools extends Parts {
  add(v: boolean | null): void {
    this.head.reserve(1);
    this.head.u8(v === null ? 1 : 0);
    this.values.reserve(1);
    this.values.u8(v === true ? 1 : 0);
  }
}

/** Enum8 values are the vocabulary's positions from 1, as the migrations declare them. */
class Enum8 {
  readonly type: string;
  private readonly codes: Map<string, number>;
  constructor(words: readonly string[]) {
    this.type = `Enum8(${words.map((word, i) => `'${word}' = ${i + 1}`).join(', ')})`;
    this.codes = new Map(words.map((word, i) => [word, i + 1]));
  }
  code(word: string): number {
    const c = this.codes.get(word);
    // checkRecord() refuses unknown words first; this guards the encoder's other callers.
    if (c === undefined) throw new TypeError(`${JSON.stringify(word)} is not one of ${this.type}`);
    return c;
  }
}

class Enums extends Parts {
  constructor(private readonly vocabulary: Enum8) {
    super(vocabulary.type);
  }
  add(word: string): void {
    this.values.reserve(1);
    this.values.u8(this.vocabulary.code(word));
  }
}

class NullableEnums extends Parts {
  constructor(private readonly vocabulary: Enum8) {
    super(`Nullable(${vocabulary.type})`);
  }
  add(word: string | null): void {
    this.head.reserve(1);
    this.head.u8(word === null ? 1 : 0);
    this.values.reserve(1);
    this.values.u8(word === null ? 0 : this.vocabulary.code(word));
  }
}

class EnumArrays extends Parts {
  private end = 0;
  constructor(private readonly vocabulary: Enum8) {
    super(`Array(${vocabulary.type})`);
  }
  add(words: readonly string[]): void {
    this.end += words.length;
    this.head.reserve(8);
    this.head.u64(this.end);
    this.values.reserve(words.length);
    for (const word of words) this.values.u8(this.vocabulary.code(word));
  }
  override clear(): void {
    super.clear();
    this.end = 0;
  }
}

/** IPv6 as 16 bytes in network order; IPv4 as its IPv4-mapped form (::ffff:a.b.c.d), as ClickHouse reads it from text. */
class Addresses extends Parts {
  add(text: string): void {
    const w = this.values;
    w.reserve(16);
    const v4 = parseIpv4(text);
    if (v4 !== null) {
      w.zeros(10);
      w.u8(0xff);
      w.u8(0xff);
      w.u8(v4 >>> 24);
      w.u8((v4 >>> 16) & 0xff);
      w.u8((v4 >>> 8) & 0xff);
      w.u8(v4 & 0xff);
      return;
    }
    const v6 = parseIpv6(text);
    if (v6 === null) throw new TypeError(`${JSON.stringify(text)} is not an IP address`);
    for (let shift = 120n; shift >= 0n; shift -= 8n) w.u8(Number((v6 >> shift) & 0xffn));
  }
}

/** DateTime64(3) is Int64 milliseconds since the epoch. */
class Times extends Parts {
  add(ts: string): void {
    this.values.reserve(8);
    this.values.i64(recordTimeMs(ts));
  }
}

const OUTCOME = new Enum8(OUTCOMES);
const FINGERPRINT = new Enum8(FINGERPRINTS);
const EVIDENCE = new Enum8(STRIP_EVIDENCE);
const STAGE = new Enum8(ERROR_STAGES);
const CERT_STATUS = new Enum8(CERT_STATUSES);
const VALIDITY = new Enum8(CERT_VALIDITIES);

function blockColumns() {
  return {
    ip: new Addresses('IPv6'),
    port: new UInt16s('UInt16'),
    server_name: new NullableStrings('Nullable(String)'),
    ts: new Times("DateTime64(3, 'UTC')"),
    outcome: new Enums(OUTCOME),
    fingerprints: new EnumArrays(FINGERPRINT),
    strip_evidence: new NullableEnums(EVIDENCE),
    error_stage: new NullableEnums(STAGE),
    error: new NullableStrings('Nullable(String)'),
    banner: new NullableStrings('Nullable(String)'),
    banner_code: new NullableUInts('UInt16', 2),
    ehlo_code: new NullableUInts('UInt16', 2),
    ehlo_keywords: new StringArrays('Array(String)'),
    helo_fallback: new Bools('Bool'),
    starttls_advertised: new Bools('Bool'),
    starttls_sent: new Bools('Bool'),
    starttls_code: new NullableUInts('UInt16', 2),
    starttls_reply: new NullableStrings('Nullable(String)'),
    implicit_tls: new Bools('Bool'),
    tls_version: new NullableStrings('Nullable(String)'),
    tls_cipher: new NullableStrings('Nullable(String)'),
    tls_error: new NullableStrings('Nullable(String)'),
    cert_sha256: new NullableStrings('Nullable(String)'),
    cert_status: new NullableEnums(CERT_STATUS),
    cert_validity: new NullableEnums(VALIDITY),
    cert_subject: new NullableStrings('Nullable(String)'),
    cert_issuer: new NullableStrings('Nullable(String)'),
    cert_sans: new StringArrays('Array(String)'),
    cert_not_before: new NullableStrings('Nullable(String)'),
    cert_not_after: new NullableStrings('Nullable(String)'),
    cert_key_type: new NullableStrings('Nullable(String)'),
    cert_key_bits: new NullableUInts('UInt32', 4),
    cert_chain_len: new NullableUInts('UInt16', 2),
    cert_name_matches_banner: new NullableBools('Nullable(Bool)'),
    cert_name_matches: new NullableBools('Nullable(Bool)'),
    post_tls_ehlo_code: new NullableUInts('UInt16', 2),
    post_tls_ehlo_keywords: new StringArrays('Array(String)'),
    duration_ms: new UInt32s('UInt32'),
    transcript: new Strings('String'),
    campaign: new Strings('String'),
    job: new Strings('String'),
    vantage: new Strings('String'),
  } satisfies Record<keyof ScanRecord, BlockColumn>;
}

const TYPES = blockColumns();

/** Each column's type in the block, in RECORD_FIELDS order. */
export const OBSERVATION_TYPES: readonly string[] = RECORD_FIELDS.map((f) => TYPES[f].type);

/** The block's columns as a table structure (`name Type, …`), for reading a block file. */
export const OBSERVATION_STRUCTURE = RECORD_FIELDS.map((f) => `${f} ${TYPES[f].type}`).join(', ');

/**
 * Builds Native blocks of observations: add() records one by one, then
 * finish() appends them as one block to a writer and starts a new block.
 */
export class ObservationBlock {
  private readonly c = blockColumns();
  /** Column headers (name, type) in RECORD_FIELDS order, each with its column. */
  private readonly parts: readonly [Buffer, BlockColumn][] = RECORD_FIELDS.map((f) => {
    const header = new NativeWriter(256);
    header.string(f);
    header.string(this.c[f].type);
    return [Buffer.from(header.bytes()), this.c[f]];
  });
  private count = 0;

  get rows(): number {
    return this.count;
  }

  /** What finish() will append. */
  get byteLength(): number {
    let n = 20;
    for (const [header, column] of this.parts) n += header.length + column.byteLength;
    return n;
  }

  // One property read per field, each at its own site: the record's shape
  // stays monomorphic there, which a loop over field names would not be.
  add(r: ScanRecord): void {
    const c = this.c;
    c.ip.add(r.ip);
    c.port.add(r.port);
    c.server_name.add(r.server_name);
    c.ts.add(r.ts);
    c.outcome.add(r.outcome);
    c.fingerprints.add(r.fingerprints);
    c.strip_evidence.add(r.strip_evidence);
    c.error_stage.add(r.error_stage);
    c.error.add(r.error);
    c.banner.add(r.banner);
    c.banner_code.add(r.banner_code);
    c.ehlo_code.add(r.ehlo_code);
    c.ehlo_keywords.add(r.ehlo_keywords);
    c.helo_fallback.add(r.helo_fallback);
    c.starttls_advertised.add(r.starttls_advertised);
    c.starttls_sent.add(r.starttls_sent);
    c.starttls_code.add(r.starttls_code);
    c.starttls_reply.add(r.starttls_reply);
    c.implicit_tls.add(r.implicit_tls);
    c.tls_version.add(r.tls_version);
    c.tls_cipher.add(r.tls_cipher);
    c.tls_error.add(r.tls_error);
    c.cert_sha256.add(r.cert_sha256);
    c.cert_status.add(r.cert_status);
    c.cert_validity.add(r.cert_validity);
    c.cert_subject.add(r.cert_subject);
    c.cert_issuer.add(r.cert_issuer);
    c.cert_sans.add(r.cert_sans);
    c.cert_not_before.add(r.cert_not_before);
    c.cert_not_after.add(r.cert_not_after);
    c.cert_key_type.add(r.cert_key_type);
    c.cert_key_bits.add(r.cert_key_bits);
    c.cert_chain_len.add(r.cert_chain_len);
    c.cert_name_matches_banner.add(r.cert_name_matches_banner);
    c.cert_name_matches.add(r.cert_name_matches);
    c.post_tls_ehlo_code.add(r.post_tls_ehlo_code);
    c.post_tls_ehlo_keywords.add(r.post_tls_ehlo_keywords);
    c.duration_ms.add(r.duration_ms);
    c.transcript.add(r.transcript);
    c.campaign.add(r.campaign);
    c.job.add(r.job);
    c.vantage.add(r.vantage);
    this.count += 1;
  }

  /** Appends the rows added since the last finish() as one block (nothing for none). */
  finish(out: NativeWriter): void {
    if (this.count === 0) return;
    out.varint(this.parts.length);
    out.varint(this.count);
    for (const [header, column] of this.parts) {
      out.raw(header);
      column.writeTo(out);
      column.clear();
    }
    this.count = 0;
  }
}

/** The records as one Native block (an empty Buffer for none). */
export function encodeObservations(records: readonly ScanRecord[]): Buffer {
  const block = new ObservationBlock();
  for (const r of records) block.add(r);
  const out = new NativeWriter();
  block.finish(out);
  return out.bytes();
}
