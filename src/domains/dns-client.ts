/**
 * A stub resolver client that speaks the DNS wire protocol (dns-packet for
 * the encoding) to one resolver the caller names, with the DNSSEC OK bit set.
 *
 * Why not node:dns: it hides the header (no AD bit, so no way to tell a
 * validated answer from an unsigned one), returns no TTLs for MX and TXT,
 * cannot ask for TLSA, and `dns.lookup` asks the system resolver whatever
 * the caller wanted. Every lookup of `stripscan domains` — MX, addresses,
 * TXT, TLSA, and the MTA-STS policy host through `lookupFor` — goes through
 * one DnsClient, so to one resolver only.
 *
 * Failures of the lookup are outcomes, never exceptions: NXDOMAIN, SERVFAIL,
 * REFUSED, a timeout or an unreadable reply come back as a DnsAnswer whose
 * `status` says which. Queries are paced and bounded like SMTP probes (a
 * Pacer and a concurrency limit), and a run asks each (name, type) once.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as netConnect, isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import pLimit from 'p-limit';
import { UNPACED, type Pacer } from '../scan/pacer.js';

export const RECORD_TYPES = ['MX', 'A', 'AAAA', 'TXT', 'TLSA'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** How a lookup ended. `nodata`: the name exists without records of this type. */
export const DNS_STATUSES = ['ok', 'nodata', 'nxdomain', 'servfail', 'refused', 'timeout', 'error'] as const;
export type DnsStatus = (typeof DNS_STATUSES)[number];

export interface MxData {
  preference: number;
  exchange: string;
}

export interface TlsaData {
  usage: number;
  selector: number;
  matchingType: number;
  data: Buffer;
}

/** The data of a record of each type, as the policy code reads it. */
export interface RecordData {
  MX: MxData;
  A: string;
  AAAA: string;
  /** The record's character-strings joined (RFC 7208 §3.3, RFC 8461 §3.1: one record, several strings). */
  TXT: string;
  TLSA: TlsaData;
}

export interface DnsAnswer<T extends RecordType = RecordType> {
  name: string;
  type: T;
  status: DnsStatus;
  /** The resolver's AD bit: it validated the answer (or the denial) with DNSSEC. */
  ad: boolean;
  /** The smallest TTL of the answer's records of this type; null without records. */
  ttl: number | null;
  records: RecordData[T][];
  /** Detail of an `error` or `timeout` (errno, unreadable reply, rcode name). */
  detail: string | null;
}

export interface ResolverAddress {
  host: string;
  port: number;
}

export interface DnsClientOptions {
  resolver: ResolverAddress;
  /** Time for one attempt (UDP, or the TCP retry of a truncated reply). */
  timeoutMs: number;
  /** UDP attempts before a lookup is a `timeout`. */
  attempts: number;
  /** Queries in flight at once. */
  concurrency: number;
  /** One token per query sent. */
  pacer?: Pacer;
}

/** EDNS payload size of the 2020 DNS flag day: fits any path MTU, the resolver truncates beyond it. */
const UDP_PAYLOAD = 1232;
/** Bounds what one reply may make us hold (a TCP reply's 2-byte length allows 64 KiB). */
const MAX_TCP_REPLY = 65_535;

type Outcome = { status: 'reply'; packet: dnsPacket.DecodedPacket & { rcode?: string } } | TransportFailure;
type TransportFailure = { status: 'timeout' | 'error'; detail: string };

export class DnsClient {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly pacer: Pacer;
  /** One lookup per (name, type) per run: an MX shared by many domains is resolved once. */
  private readonly asked = new Map<string, Promise<DnsAnswer>>();
  private sent = 0;

  constructor(private readonly opts: DnsClientOptions) {
    this.limit = pLimit(opts.concurrency);
    this.pacer = opts.pacer ?? UNPACED;
  }

  /** Queries sent so far (attempts and TCP retries included). */
  get queriesSent(): number {
    return this.sent;
  }

  get resolver(): ResolverAddress {
    return this.opts.resolver;
  }

  query<T extends RecordType>(name: string, type: T): Promise<DnsAnswer<T>> {
    const key = `${name.toLowerCase()}/${type}`;
    let answer = this.asked.get(key);
    if (answer === undefined) {
      answer = this.limit(() => this.lookup(name.toLowerCase(), type));
      this.asked.set(key, answer);
    }
    return answer as Promise<DnsAnswer<T>>;
  }

  private async lookup<T extends RecordType>(name: string, type: T): Promise<DnsAnswer<T>> {
    const query = queryPacket(name, type);
    let outcome: Outcome = { status: 'timeout', detail: 'no attempt' };
    for (let attempt = 0; attempt < this.opts.attempts; attempt++) {
      await this.pacer.take();
      this.sent++;
      outcome = await this.overUdp(query);
      if (outcome.status === 'reply' && outcome.packet.flag_tc) {
        await this.pacer.take();
        this.sent++;
        outcome = await this.overTcp(query);
      }
      if (outcome.status !== 'timeout') break;
    }
    return answerOf(name, type, outcome);
  }

  private overUdp(query: QueryPacket): Promise<Outcome> {
    const { host, port } = this.opts.resolver;
    return new Promise((resolve) => {
      const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
      const done = (outcome: Outcome): void => {
        clearTimeout(timer);
        socket.close();
        resolve(outcome);
      };
      const timer = setTimeout(
        () => done({ status: 'timeout', detail: `no reply in ${this.opts.timeoutMs} ms` }),
        this.opts.timeoutMs,
      );
      socket.on('error', (err: NodeJS.ErrnoException) => done({ status: 'error', detail: err.code ?? err.message }));
      socket.on('message', (bytes, from) => {
        // Only the resolver we asked, and only the reply to our question: anything else is ignored, as
        // a stub resolver must (RFC 5452 §9.1) — a spoofed or stale datagram does not end the wait.
        if (from.port !== port || !sameAddress(from.address, host)) return;
        const packet = decodeReply(bytes, query);
        if (packet !== null) done({ status: 'reply', packet });
      });
      socket.send(query.bytes, port, host, (err) => {
        if (err) done({ status: 'error', detail: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  }

  private overTcp(query: QueryPacket): Promise<Outcome> {
    const { host, port } = this.opts.resolver;
    return new Promise((resolve) => {
      const socket = netConnect({ host, port });
      let buffered = Buffer.alloc(0);
      const done = (outcome: Outcome): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(
        () => done({ status: 'timeout', detail: `no TCP reply in ${this.opts.timeoutMs} ms` }),
        this.opts.timeoutMs,
      );
      socket.on('error', (err: NodeJS.ErrnoException) => done({ status: 'error', detail: err.code ?? err.message }));
      socket.on('connect', () => {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(query.bytes.length);
        socket.write(Buffer.concat([length, query.bytes]));
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length > MAX_TCP_REPLY + 2) return done({ status: 'error', detail: 'reply-too-large' });
        if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
        const packet = decodeReply(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), query);
        done(packet === null ? { status: 'error', detail: 'unreadable-reply' } : { status: 'reply', packet });
      });
      socket.on('end', () => done({ status: 'error', detail: 'closed' }));
    });
  }
}

interface QueryPacket {
  id: number;
  name: string;
  type: RecordType;
  bytes: Buffer;
}

function queryPacket(name: string, type: RecordType): QueryPacket {
  const id = randomInt(0, 65_536);
  const bytes = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    // EDNS0 with the DO bit: a validating resolver then sets AD on answers it validated (RFC 4035 §3.2.1,
    // RFC 6840 §5.7), and sends the signatures along, which we do not need but must accept.
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: UDP_PAYLOAD,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: dnsPacket.DNSSEC_OK,
        flag_do: true,
        options: [],
      },
    ],
  });
  return { id, name, type, bytes };
}

/** The reply to `query`, or null for bytes that are not it (wrong id or question, or unreadable). */
function decodeReply(bytes: Buffer, query: QueryPacket): (dnsPacket.DecodedPacket & { rcode?: string }) | null {
  let packet: dnsPacket.DecodedPacket & { rcode?: string };
  try {
    packet = dnsPacket.decode(bytes) as dnsPacket.DecodedPacket & { rcode?: string };
  } catch {
    return null;
  }
  const question = packet.questions?.[0];
  if (packet.id !== query.id || !packet.flag_qr || question === undefined) return null;
  if (question.name.toLowerCase() !== query.name || question.type !== query.type) return null;
  return packet;
}

function answerOf<T extends RecordType>(name: string, type: T, outcome: Outcome): DnsAnswer<T> {
  const empty = { name, type, ad: false, ttl: null, records: [] as RecordData[T][] };
  if (outcome.status !== 'reply') return { ...empty, status: outcome.status, detail: outcome.detail };
  const { packet } = outcome;
  const rcode = packet.rcode ?? 'UNKNOWN';
  const ad = packet.flag_ad;
  switch (rcode) {
    case 'NXDOMAIN':
      return { ...empty, ad, status: 'nxdomain', detail: null };
    case 'SERVFAIL':
      return { ...empty, status: 'servfail', detail: null };
    case 'REFUSED':
      return { ...empty, status: 'refused', detail: null };
    case 'NOERROR':
      break;
    default:
      return { ...empty, status: 'error', detail: `rcode ${rcode}` };
  }
  const records: RecordData[T][] = [];
  let ttl: number | null = null;
  // The resolver follows CNAMEs and puts the chain in the answer: every record of the asked type counts.
  for (const rr of packet.answers ?? []) {
    if (rr.type !== type) continue;
    const data = recordData(rr);
    if (data === null) continue;
    records.push(data as RecordData[T]);
    const rrTtl = 'ttl' in rr && typeof rr.ttl === 'number' ? rr.ttl : null;
    if (rrTtl !== null) ttl = ttl === null ? rrTtl : Math.min(ttl, rrTtl);
  }
  return { ...empty, ad, ttl, records, status: records.length > 0 ? 'ok' : 'nodata', detail: null };
}

function recordData(rr: dnsPacket.Answer): RecordData[RecordType] | null {
  switch (rr.type) {
    case 'MX':
      return { preference: rr.data.preference ?? 0, exchange: (rr.data.exchange ?? '').toLowerCase() };
    case 'A':
    case 'AAAA':
      return rr.data;
    case 'TXT': {
      const strings = Array.isArray(rr.data) ? rr.data : [rr.data];
      return strings.map((s) => (typeof s === 'string' ? s : s.toString('latin1'))).join('');
    }
    case 'TLSA':
      return {
        usage: rr.data.usage,
        selector: rr.data.selector,
        matchingType: rr.data.matchingType,
        data: rr.data.certificate,
      };
    default:
      return null;
  }
}

function sameAddress(a: string, b: string): boolean {
  return a === b || a === `::ffff:${b}` || b === `::ffff:${a}`;
}
