/**
 * Replays a scripted server session through the machine. A script is a list
 * of steps, each keyed to the machine action it answers, so the replay also
 * checks that the machine asks in the expected order. How a step's bytes are
 * cut into data events is up to the chunking function: the same script cut
 * differently must give the same commands and the same record.
 */
import {
  DEFAULT_LIMITS,
  SmtpProbe,
  type ProbeEvent,
  type ProbeOptions,
  type ProbeResult,
} from '../../../src/probe/smtp/index.js';

export type Bytes = string | Uint8Array;

/** What the server answers to: the session opening, a command we sent (its verb), or the start-tls action. */
export type Trigger = 'connect' | 'EHLO' | 'HELO' | 'STARTTLS' | 'QUIT' | 'start-tls';

export interface Step {
  on: Trigger;
  /** Server bytes, cut by the chunking function. */
  server?: Bytes;
  /**
   * Bytes the server sent right behind `server` without waiting for us: they always travel in
   * the same data event as the last byte of `server` (the machine can only know they were
   * unsolicited because they arrived before its command).
   */
  tail?: Bytes;
  /** A non-data event after the bytes: closed, timeout, tls-established, … */
  event?: ProbeEvent;
}

export interface Session {
  options?: Partial<ProbeOptions>;
  /** First event; `connected` unless given. */
  open?: ProbeEvent;
  steps: Step[];
}

export interface Replay {
  sent: string[];
  result: ProbeResult;
  /** The most bytes the machine held between events. */
  maxBuffered: number;
  /** Raw bytes the machine let through to the TLS layer, in order. */
  toTls: Uint8Array;
}

/** Cuts one step's server bytes (never empty) into data events. */
export type Chunking = (bytes: Uint8Array, stepIndex: number) => Uint8Array[];

export const whole: Chunking = (bytes) => [bytes];
export const byteByByte: Chunking = (bytes) => Array.from(bytes, (b) => Uint8Array.of(b));
/** Only step `target` is cut, into two at `at`. */
export const splitAt =
  (target: number, at: number): Chunking =>
  (bytes, stepIndex) =>
    stepIndex === target ? [bytes.subarray(0, at), bytes.subarray(at)] : [bytes];

export const EHLO_NAME = 'scanner.example.net';

const encoded = new Map<string, Uint8Array>();

export function toBytes(b: Bytes): Uint8Array {
  if (typeof b !== 'string') return b;
  // Strings in scripts are byte strings (latin1), so tests can write \xff and \x00 directly.
  let bytes = encoded.get(b);
  if (bytes === undefined) {
    bytes = Uint8Array.from(b, (c) => c.charCodeAt(0));
    encoded.set(b, bytes);
  }
  return bytes;
}

export function probeOptions(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return { ehloName: EHLO_NAME, forceStartTls: false, implicitTls: false, limits: DEFAULT_LIMITS, ...overrides };
}

function triggerOf(data: string): Trigger {
  return data.split(/[ \r]/, 1)[0] as Trigger;
}

export function replay(session: Session, chunking: Chunking = whole): Replay {
  const machine = new SmtpProbe(probeOptions(session.options));
  const sent: string[] = [];
  const toTls: number[] = [];
  let result: ProbeResult | null = null;
  let last: Trigger = 'connect';
  let maxBuffered = 0;
  // Between STARTTLS's 220 and the end of the handshake the driver hands raw bytes to the machine as
  // `tls-bytes`; the script's bytes there stand for what the server put on the wire.
  let rawTls = false;
  const implicit = session.options?.implicitTls === true;
  const deliver = (event: ProbeEvent): void => {
    if (event.type === 'tls-established' || event.type === 'tls-failed') rawTls = false;
    for (const action of machine.handle(event)) {
      if (action.type === 'send') {
        sent.push(action.data);
        last = triggerOf(action.data);
      } else if (action.type === 'start-tls') {
        last = 'start-tls';
        rawTls = !implicit;
      } else if (action.type === 'to-tls') {
        toTls.push(...action.bytes);
      } else {
        if (result !== null) throw new Error('two done actions');
        result = action.result;
      }
    }
    maxBuffered = Math.max(maxBuffered, machine.bufferedBytes);
  };
  deliver(session.open ?? { type: 'connected' });
  session.steps.forEach((step, index) => {
    if (!machine.isDone && step.on !== last) {
      throw new Error(`step ${index} answers ${step.on}, but the machine's last action was ${last}`);
    }
    const bytes = step.server === undefined ? new Uint8Array(0) : toBytes(step.server);
    const chunks = bytes.length === 0 ? [] : chunking(bytes, index).filter((c) => c.length > 0);
    if (step.tail !== undefined) {
      const lastChunk = chunks.pop() ?? new Uint8Array(0);
      const tail = toBytes(step.tail);
      const joined = new Uint8Array(lastChunk.length + tail.length);
      joined.set(lastChunk);
      joined.set(tail, lastChunk.length);
      chunks.push(joined);
    }
    for (const chunk of chunks) deliver(rawTls ? { type: 'tls-bytes', bytes: chunk } : { type: 'data', bytes: chunk });
    if (step.event !== undefined) deliver(step.event);
  });
  if (result === null) throw new Error(`the machine did not finish; last action ${last}`);
  return { sent, result, maxBuffered, toTls: Uint8Array.from(toTls) };
}

const EXHAUSTIVE_BYTES = 4096;

/** Every way of cutting the session this suite checks: whole, each step split at each boundary, byte by byte. */
export function allChunkings(session: Session): { name: string; chunking: Chunking }[] {
  const out = [
    { name: 'whole', chunking: whole },
    { name: 'byte by byte', chunking: byteByByte },
  ];
  session.steps.forEach((step, index) => {
    const length = step.server === undefined ? 0 : toBytes(step.server).length;
    for (let at = 1; at < length; at++) {
      // Every boundary of the first EXHAUSTIVE_BYTES, a stride beyond: only the 1000-line reply is longer,
      // and the machine stops reading it before byte 3000.
      if (at > EXHAUSTIVE_BYTES && at % 97 !== 0) continue;
      out.push({ name: `step ${index} split at ${at}`, chunking: splitAt(index, at) });
    }
  });
  return out;
}
