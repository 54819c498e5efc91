/** What the harness hands a throughput worker (stripscan's probe path or the floor loop): one JSON argument. */
export interface ThroughputConfig {
  hosts: string[];
  port: number;
  probes: number;
  concurrency: number;
  caFile: string;
  /**
   * Floor loop only: also read the peer certificate after the handshake, to
   * price that step on the same workload: `facts` is what stripscan does
   * (src/probe/cert-facts.ts, getPeerX509Certificate), `detailed` the
   * getPeerCertificate(true) call it made before.
   */
  certificate?: 'none' | 'facts' | 'detailed';
  /**
   * Floor loop only: `js` runs TLS over stripscan's STARTTLS tap (src/probe/tls-tap.ts) instead of the
   * socket's native handle, to price the carrier that keeps plaintext after the 220 out of TLS.
   */
  carrier?: 'socket' | 'js';
}

export interface ThroughputResult {
  probes: number;
  seconds: number;
  probesPerSecond: number;
  /** Probes that completed the whole exchange (TLS up, EHLO answered inside TLS). */
  completed: number;
  /** CPU time (user + system) of the whole worker process per probe: steadier than probes/s on a shared machine. */
  cpuUsPerProbe: number;
  /** Bytes of serialised JSON records (0 for the floor loop, which builds none). */
  jsonBytes: number;
}

export function readThroughputConfig(argv: string[]): ThroughputConfig {
  const raw = argv[2];
  if (raw === undefined) throw new Error('usage: <worker> <json config>');
  return JSON.parse(raw) as ThroughputConfig;
}

/** The i-th target when the host list is cycled. */
export function* cycledHosts(hosts: string[], count: number): Generator<string> {
  for (let i = 0; i < count; i++) yield hosts[i % hosts.length] as string;
}
