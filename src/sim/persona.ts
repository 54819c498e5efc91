/**
 * What a persona is: a name, what it imitates, how the server behaves, and
 * which record fields a correct scanner must produce against it. Personas are
 * data (see personas.ts); the session code only interprets them.
 */
import type { ScanRecord } from '../record.js';
import type { CertVariant } from './certificates.js';

/** A certificate plus the protocol versions the server allows: one shared TLS context each. */
export type TlsProfile = CertVariant | 'ecdsa-tls10';

/** The commands a persona answers specially; anything else gets the persona's default reply. */
export type ScriptedVerb = 'EHLO' | 'HELO' | 'STARTTLS';

export interface ServerBehaviour {
  /** Bytes sent on connect (inside TLS on the implicit-TLS port). Raw bytes: hostile personas need NUL and invalid UTF-8. */
  greeting: Uint8Array;
  /** at-once: one write; drip: one byte every 10 ms; silent: nothing until the idle timeout; reset-midway: part, then RST. */
  greetingStyle: 'at-once' | 'drip' | 'silent' | 'reset-midway';
  /** Full replies (CRLF included) by verb, in plaintext. */
  replies: Partial<Record<ScriptedVerb, string>>;
  /** Reply to any other command (and to scripted verbs a persona leaves out). */
  defaultReply: string;
  /**
   * After a 220 to STARTTLS: a real handshake; bytes that are not TLS in answer to the ClientHello
   * (garbage); or a plaintext line sent on its own a moment after the 220, then a real handshake
   * (plaintext-then-handshake: what STARTTLS response injection looks like to a client).
   */
  afterStartTls: 'handshake' | 'garbage' | 'plaintext-then-handshake';
  /** Inside TLS: serve EHLO normally, or close the connection when EHLO arrives. */
  insideTls: 'serve' | 'close-on-ehlo';
  /** Close as soon as the client sends a line (a non-SMTP service). */
  closeOnFirstLine: boolean;
  tls: TlsProfile;
}

/** Fields the persona determines: what `expectedFor` starts from. */
export type ExpectedRecord = Partial<Omit<ScanRecord, 'ip' | 'port' | 'ts' | 'duration_ms'>>;

export interface PersonaExpectation {
  /** Fields when the scanner forces STARTTLS (its default, as masscan does). */
  fields: ExpectedRecord;
  /** Overrides when the scanner only sends STARTTLS if advertised. */
  unforced?: ExpectedRecord;
  /** The STARTTLS handshake completes: TLS and certificate fields follow from the TLS profile. */
  handshake: boolean;
  /** Whether it still does for a scanner that does not force STARTTLS (default: same as handshake). */
  unforcedHandshake?: boolean;
  /**
   * Served on the implicit-TLS port: the fields there (TLS facts added when the
   * handshake completes). null: not served; the connection is closed at once.
   */
  implicit: ExpectedRecord | null;
}

export interface Persona {
  readonly name: string;
  readonly description: string;
  readonly server: ServerBehaviour;
  readonly expect: PersonaExpectation;
  /**
   * A path persona (path-personas.ts): a middlebox on the path from some
   * client addresses only (the fleet's path sources) turns the server above
   * into this one for them; every other client meets the server above.
   */
  readonly onPath?: OnPath;
}

export interface OnPath {
  /** What the box does, for the docs. */
  readonly box: string;
  readonly server: ServerBehaviour;
  readonly expect: PersonaExpectation;
}
