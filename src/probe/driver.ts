/**
 * The socket driver: the only code in the probe that touches sockets, TLS and
 * timers. It turns socket happenings into ProbeEvents for the pure state
 * machine (./smtp/) and carries out the actions the machine returns.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ScanRecord } from '../record.js';
import { readCertFacts } from './cert-facts.js';
import type { ProbeAction, ProbeEvent, ProbeOptions } from './smtp/events.js';
import { SmtpProbe } from './smtp/index.js';
import type { SourceAddresses } from './source-addresses.js';
import { NO_STALLS, type StallClock } from './stall-clock.js';
import { StepDeadline } from './step-deadline.js';
import { TlsTap } from './tls-tap.js';
import { serverNameIndication, type ProbeTlsContext } from './tls-context.js';

export interface ProbeTarget {
  ip: string;
  port: number;
  /** A name the target line carried (`ip,name`): sent as SNI, and the certificate held to it. */
  name?: string;
}

export interface DriverOptions extends ProbeOptions {
  /**
   * Deadline of each step, measured from when the step began: the banner from
   * the TCP connect, each reply from when our command was written, the TLS
   * handshake from its start. A probe therefore ends within about
   * connectTimeoutMs + 6 × timeoutMs, whatever the server does.
   */
  timeoutMs: number;
  connectTimeoutMs: number;
  tlsContext: ProbeTlsContext;
  /** Time our event loop was stalled, given back to step deadlines; the chunk runner passes its loop monitor. */
  stalls?: StallClock;
  /** Local addresses to bind, one per connection in turn (`--source-address`); absent: the system picks. */
  sourceAddresses?: SourceAddresses;
}

export interface RecordLabels {
  campaign: string;
  job: string;
  vantage: string;
}

const NO_LABELS: RecordLabels = { campaign: '', job: '', vantage: '' };

/** Probe one target. Never rejects: every failure of the target is an outcome in the record. */
export function probeTarget(
  target: ProbeTarget,
  opts: DriverOptions,
  labels: RecordLabels = NO_LABELS,
): Promise<ScanRecord> {
  return new Promise((resolve) => {
    new ProbeRun(target, opts, labels, resolve, false).start();
  });
}

export interface ProbedWithChain {
  record: ScanRecord;
  /** DER of each certificate the server sent, leaf first; null when no handshake completed. */
  chain: Buffer[] | null;
}

/**
 * probeTarget, also keeping the certificate chain the server presented (for
 * DANE matching in `stripscan domains`); the record is the same.
 */
export function probeTargetWithChain(
  target: ProbeTarget,
  opts: DriverOptions,
  labels: RecordLabels = NO_LABELS,
): Promise<ProbedWithChain> {
  return new Promise((resolve) => {
    const run: ProbeRun = new ProbeRun(
      target,
      opts,
      labels,
      (record) => resolve({ record, chain: run.peerChain }),
      true,
    );
    run.start();
  });
}

class ProbeRun {
  private readonly machine: SmtpProbe;
  private readonly startedAt = Date.now();
  private readonly step: StepDeadline;
  private socket: Socket | null = null;
  private tlsSocket: TLSSocket | null = null;
  /** After STARTTLS's 220: raw bytes go through the machine before the TLS layer sees them. */
  private tap: TlsTap | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private finished = false;
  /** The chain the server sent, kept only when the caller asked for it. */
  peerChain: Buffer[] | null = null;

  constructor(
    private readonly target: ProbeTarget,
    private readonly opts: DriverOptions,
    private readonly labels: RecordLabels,
    private readonly resolve: (record: ScanRecord) => void,
    private readonly keepChain: boolean,
  ) {
    this.machine = new SmtpProbe(target.name === undefined ? opts : { ...opts, serverName: target.name });
    this.step = new StepDeadline(opts.timeoutMs, opts.stalls ?? NO_STALLS, () => this.feed({ type: 'timeout' }));
  }

  start(): void {
    const localAddress = this.opts.sourceAddresses?.forTarget(this.target.ip);
    const socket = netConnect({
      host: this.target.ip,
      port: this.target.port,
      noDelay: true,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      this.feed({ type: 'connect-failed', code: 'ETIMEDOUT', timedOut: true });
    }, this.opts.connectTimeoutMs);
    socket.once('connect', this.onConnect);
    socket.on('data', this.onPlainData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onPlainError);
  }

  private readonly onConnect = (): void => {
    this.clearConnectTimer();
    // The banner's step: from the connect, the server's first move.
    this.step.start();
    this.feed({ type: 'connected' });
  };

  private readonly onPlainData = (bytes: Buffer): void => {
    this.feed({ type: 'data', bytes });
  };

  private readonly onEnd = (): void => {
    this.feed({ type: 'closed' });
  };

  private readonly onPlainError = (err: NodeJS.ErrnoException): void => {
    const code = err.code ?? 'error';
    if (this.connectTimer !== null) {
      this.clearConnectTimer();
      if (code === 'ECONNRESET') {
        // A reset can only follow a completed handshake (a SYN draws a refusal,
        // not a reset): the server accepted and dropped us before the event
        // loop saw the connect. Under load that ordering is common.
        this.feed({ type: 'connected' });
        this.feed({ type: 'socket-error', code });
        return;
      }
      this.feed({ type: 'connect-failed', code, timedOut: false });
    } else {
      this.feed({ type: 'socket-error', code });
    }
  };

  private feed(event: ProbeEvent): void {
    if (this.finished) return;
    const actions = this.machine.handle(event);
    for (const action of actions) this.perform(action);
  }

  private perform(action: ProbeAction): void {
    switch (action.type) {
      case 'send':
        // The reply's step begins when our command is written, not when the probe began.
        this.step.start();
        (this.tlsSocket ?? this.socket)?.write(action.data);
        return;
      case 'start-tls':
        this.step.start();
        this.startTls();
        return;
      case 'to-tls':
        this.tap?.deliver(action.bytes);
        return;
      case 'done':
        this.finish(action);
        return;
    }
  }

  private startTls(): void {
    const plain = this.socket;
    if (plain === null) return;
    plain.off('data', this.onPlainData);
    plain.off('end', this.onEnd);
    plain.off('error', this.onPlainError);
    let established = false;
    // After STARTTLS's 220 every raw byte goes through the machine first: plaintext where TLS was due must
    // never reach the TLS layer, and must be judged the same however TCP split it. Implicit TLS has no
    // such gap, so it keeps the native path.
    let carrier: Socket | TlsTap = plain;
    if (!this.opts.implicitTls) {
      this.tap = new TlsTap(plain, (bytes) => this.feed({ type: 'tls-bytes', bytes }));
      carrier = this.tap;
    }
    const tls = tlsConnect({
      socket: carrier as Socket,
      secureContext: this.opts.tlsContext.secureContext,
      // Observe, never refuse: record the certificate, whatever it is.
      rejectUnauthorized: false,
      // A scanner reaches servers by address: SNI only when the target line named the host.
      servername: serverNameIndication(this.target.name),
      // cert_status judges the chain only; Node would otherwise fail every
      // certificate on the name check against the IP we dialled. Names are
      // recorded apart (cert_name_matches_banner, cert_name_matches).
      checkServerIdentity: () => undefined,
    });
    this.tlsSocket = tls;
    skipDetailedPeerCertificate(tls);
    tls.once('secureConnect', () => {
      established = true;
      const cipher = tls.getCipher();
      this.feed({
        type: 'tls-established',
        tls: {
          version: tls.getProtocol(),
          cipher: cipher.standardName ?? cipher.name,
          cert: readCertFacts(
            tls,
            this.opts.tlsContext.trustAnchors,
            Date.now(),
            this.keepChain ? (der) => (this.peerChain = der) : undefined,
          ),
        },
      });
    });
    tls.on('data', (bytes: Buffer) => this.feed({ type: 'data', bytes }));
    tls.on('end', () => this.feed(established ? { type: 'closed' } : { type: 'tls-failed', error: 'closed' }));
    tls.on('close', () => {
      if (!established) this.feed({ type: 'tls-failed', error: 'closed' });
    });
    tls.on('error', (err: NodeJS.ErrnoException) => {
      const code = tlsErrorName(err);
      this.feed(established ? { type: 'socket-error', code } : { type: 'tls-failed', error: code });
    });
  }

  private finish(action: Extract<ProbeAction, { type: 'done' }>): void {
    this.finished = true;
    this.clearConnectTimer();
    this.step.stop();
    const sock = this.tlsSocket ?? this.socket;
    if (sock !== null) {
      // Flush a pending QUIT, then let go; destroy() right away would drop it,
      // and waiting for the server's reply would cost a round trip per probe.
      sock.on('error', () => {});
      sock.destroySoon();
      const raw = this.socket;
      setTimeout(() => {
        sock.destroy();
        raw?.destroy();
      }, 1000).unref();
    }
    const now = Date.now();
    this.resolve({
      ip: this.target.ip,
      port: this.target.port,
      ts: new Date(this.startedAt).toISOString(),
      ...action.result,
      duration_ms: now - this.startedAt,
      campaign: this.labels.campaign,
      job: this.labels.job,
      vantage: this.labels.vantage,
    });
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
  }
}

/**
 * When OpenSSL verified the chain, Node's handshake code builds the detailed
 * peer certificate object (`getPeerCertificate(true)`: every certificate as a
 * plain object, the issuer chain looked up in the trust store) only to hand it
 * to checkServerIdentity — which we replace with a no-op. That object costs
 * about 0.3 ms of a probe's ~2.5 ms of CPU on every trusted certificate, and
 * nothing reads it: certificate facts come from getPeerX509Certificate
 * (cert-facts.ts). An own property on the socket answers Node's call instead.
 */
function skipDetailedPeerCertificate(tls: TLSSocket): void {
  Object.defineProperty(tls, 'getPeerCertificate', { value: () => ({}), configurable: true });
}

/**
 * A short, stable name for a TLS failure: the alert or OpenSSL reason when
 * there is one (`tlsv1-alert-protocol-version`, `wrong-version-number`), else
 * the errno (`ECONNRESET`).
 */
export function tlsErrorName(err: NodeJS.ErrnoException & { reason?: string }): string {
  const code = err.code ?? '';
  if (code.startsWith('ERR_SSL_')) {
    return code.slice('ERR_SSL_'.length).toLowerCase().replaceAll('_', '-');
  }
  if (code !== '') return code;
  return err.reason ?? err.message;
}
