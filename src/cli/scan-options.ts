/**
 * The target, probe and pacing options shared by `stripscan scan` and
 * `stripscan campaign create`: one table, so the two commands cannot drift.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_LIMITS, type ProbeOptions } from '../probe/smtp/events.js';
import { parseHostname, parseIntInRange, parseNumberInRange, parsePort } from './options.js';

export const DEFAULTS = {
  port: 25,
  concurrency: 1000,
  rate: 200,
  // Per step (banner, each reply, the handshake), as ZGrab2's 10 s per connection.
  timeoutMs: 10_000,
  connectTimeoutMs: 10_000,
};

/** Ports on which the server speaks TLS from the first byte (RFC 8314: submissions over TLS). */
export const IMPLICIT_TLS_PORTS = new Set([465]);

export interface ScanFlags {
  targetsFile?: string;
  port: number;
  concurrency: number;
  rate: number;
  timeout: number;
  connectTimeout: number;
  ehloName?: string;
  caFile?: string;
  forceStarttls: boolean;
  implicitTls?: boolean;
  allowReserved?: boolean;
  blocklist: string[];
  seed?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option(
      '--targets-file <file>',
      'read targets from a file, one per line (ZMap plain or CSV output, ZGrab2 ip,name[,tag]); - for stdin',
    )
    .option(
      '--allow-reserved',
      'allow IANA special-purpose ranges (loopback, private, …); needed for the simulated fleet',
    )
    .option('--blocklist <file>', 'subtract the networks listed in this file (repeatable)', collect, [])
    .option('--seed <seed>', 'permutation seed: the same seed scans in the same order (default: random, printed)');
}

export function addProbeOptions(cmd: Command): Command {
  return cmd
    .option('-p, --port <port>', 'TCP port to probe', parsePort, DEFAULTS.port)
    .option(
      '-c, --concurrency <n>',
      'probes in flight at once',
      parseIntInRange('--concurrency', 1, 100_000),
      DEFAULTS.concurrency,
    )
    .option(
      '-r, --rate <n>',
      'new connections per second (0: unpaced)',
      parseNumberInRange('--rate', 0, 10_000_000),
      DEFAULTS.rate,
    )
    .option(
      '--timeout <ms>',
      'deadline of each step: the banner after connect, each reply after our command, the TLS handshake',
      parseIntInRange('--timeout', 1, 3_600_000),
      DEFAULTS.timeoutMs,
    )
    .option(
      '--connect-timeout <ms>',
      'TCP connect timeout',
      parseIntInRange('--connect-timeout', 1, 3_600_000),
      DEFAULTS.connectTimeoutMs,
    )
    .option(
      '--ehlo-name <fqdn>',
      'name sent with EHLO; make it identify your scan (default: this host name)',
      parseHostname('--ehlo-name'),
    )
    .option('--ca-file <file>', 'extra trust anchors (PEM) for cert_status, on top of the system roots')
    .option('--no-force-starttls', 'send STARTTLS only when advertised (default: always, to see deletion and echoes)')
    .option('--implicit-tls', 'TLS from the first byte (default on for port 465)')
    .option('--no-implicit-tls', 'plain SMTP with STARTTLS even on port 465');
}

/**
 * `--source-address IP` (repeatable): bind outgoing connections to these local
 * addresses, in turn per connection (src/probe/source-addresses.ts). For
 * `scan` and `worker`, where the probes leave from; not for `campaign create`.
 */
export function addSourceAddressOption(cmd: Command): Command {
  return cmd.option(
    '--source-address <ip>',
    'bind outgoing connections to this local address (repeatable: used in turn per connection)',
    collect,
    [],
  );
}

export function defaultEhloName(): string {
  const h = hostname();
  return /^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(h) ? h : 'stripscan.localhost';
}

export function probeOptionsFrom(flags: ScanFlags): ProbeOptions {
  return {
    ehloName: flags.ehloName ?? defaultEhloName(),
    forceStartTls: flags.forceStarttls,
    implicitTls: flags.implicitTls ?? IMPLICIT_TLS_PORTS.has(flags.port),
    limits: DEFAULT_LIMITS,
  };
}
