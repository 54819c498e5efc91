/**
 * The contract between the pure SMTP probe state machine (src/probe/smtp/)
 * and the one socket/TLS driver (src/probe/driver.ts).
 *
 * The driver turns socket happenings into ProbeEvents and carries out the
 * ProbeActions the machine returns. The machine never touches a socket, a
 * timer or a clock, so a transcript replayed byte by byte yields the same
 * record every time.
 */
import type { CertStatus, CertValidity, ScanRecord } from '../../record.js';

/** Facts about the server's leaf certificate, read once by the driver. */
export interface CertFacts {
  sha256: string;
  status: CertStatus;
  /** The leaf's own window at the handshake, whatever its trust; null when its dates cannot be read. */
  validity: CertValidity | null;
  subject: string;
  issuer: string;
  sans: string[];
  not_before: string;
  not_after: string;
  key_type: string | null;
  key_bits: number | null;
  chain_len: number;
  /**
   * Whether the certificate covers a host name or IP literal. The driver
   * answers it from the certificate itself (src/probe/cert-coverage.ts); the
   * machine only asks, so it stays free of X.509 code.
   */
  covers(name: string): boolean;
}

export interface TlsFacts {
  version: string | null;
  cipher: string | null;
  cert: CertFacts | null;
}

export type ProbeEvent =
  /** TCP connected. */
  | { type: 'connected' }
  /** TCP connect failed; `timedOut` when the connect timeout fired. `code` is the errno name (ECONNREFUSED, …). */
  | { type: 'connect-failed'; code: string; timedOut: boolean }
  /** Bytes from the server (plaintext, or decrypted inside TLS). */
  | { type: 'data'; bytes: Uint8Array }
  /**
   * Raw bytes from the socket after STARTTLS's 220, before they reach the TLS
   * layer: the machine decides whether they are TLS (answering `to-tls`) or
   * plaintext where TLS was due (failing the handshake).
   */
  | { type: 'tls-bytes'; bytes: Uint8Array }
  /** The TLS handshake the machine asked for completed. */
  | { type: 'tls-established'; tls: TlsFacts }
  /** The TLS handshake failed: `error` names how (alert name, ECONNRESET, closed, timeout, …). */
  | { type: 'tls-failed'; error: string }
  /** The server closed its side (FIN). */
  | { type: 'closed' }
  /** A socket error after connect (ECONNRESET, EPIPE, …). */
  | { type: 'socket-error'; code: string }
  /** The deadline of the current step passed (banner, a reply to our command, the handshake). */
  | { type: 'timeout' };

/** What the machine concludes; the driver adds ip, port, ts, duration and the campaign labels. */
export type ProbeResult = Omit<ScanRecord, 'ip' | 'port' | 'ts' | 'duration_ms' | 'campaign' | 'job' | 'vantage'>;

export type ProbeAction =
  /** Write these ASCII bytes (a command with its CRLF). */
  | { type: 'send'; data: string }
  /**
   * Begin a TLS handshake on the connection: at once for implicit TLS; after
   * STARTTLS's 220 the driver then passes every raw byte through the machine
   * (`tls-bytes`) and gives the TLS layer only what comes back as `to-tls`.
   */
  | { type: 'start-tls' }
  /** Raw bytes for the TLS layer (after STARTTLS's 220). */
  | { type: 'to-tls'; bytes: Uint8Array }
  /** The probe is over: close the connection (after flushing what was sent) and report the result. */
  | { type: 'done'; result: ProbeResult };

export interface ProbeLimits {
  /** Bytes one reply may take, all lines together. */
  maxReplyBytes: number;
  /** Lines one reply may have. */
  maxReplyLines: number;
  /** Bytes of transcript kept in the record. */
  maxTranscriptBytes: number;
}

export const DEFAULT_LIMITS: ProbeLimits = {
  maxReplyBytes: 16 * 1024,
  maxReplyLines: 200,
  maxTranscriptBytes: 8 * 1024,
};

export interface ProbeOptions {
  /** The FQDN sent with EHLO/HELO; identifies the scanner to operators. */
  ehloName: string;
  /** Send STARTTLS even when it is not advertised. */
  forceStartTls: boolean;
  /** TLS from the first byte (port 465), no STARTTLS. */
  implicitTls: boolean;
  limits: ProbeLimits;
  /** The name the target line carried (`ip,name`): sent as SNI by the driver, the certificate held to it. */
  serverName?: string;
}
