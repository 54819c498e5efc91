/**
 * `stripscan domains`: which domains promised TLS (MTA-STS, DANE, the
 * STARTTLS Everywhere list) and whether their MX hosts keep the promise.
 * Flags → DomainScanOptions; the run is src/domains/domain-scan.ts.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { rootCertificates } from 'node:tls';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DnsClient } from '../../domains/dns-client.js';
import type { DomainScanOptions } from '../../domains/domain-scan.js';
import { DEFAULT_MAX_POLICY_BYTES } from '../../domains/policy-fetch.js';
import { formatResolverAddress, parseResolverAddress, systemResolver } from '../../domains/resolver-address.js';
import { PreloadList } from '../../policy/preload-list.js';
import { createProbeTlsContext } from '../../probe/tls-context.js';
import { TokenBucket } from '../../scan/pacer.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';
import { parseIntInRange, parseNumberInRange } from '../options.js';
import { readDomains } from '../read-domains.js';
import { addProbeOptions, probeOptionsFrom, type ScanFlags } from '../scan-options.js';
import { generatedCampaignName } from './scan.js';

export interface DomainsFlags
  extends Omit<ScanFlags, 'targetsFile' | 'allowReserved' | 'blocklist' | 'seed'>, StoreFlags {
  domainsFile?: string;
  resolver?: string;
  dnsTimeout: number;
  dnsAttempts: number;
  dnsRate: number;
  dnsConcurrency: number;
  preloadList?: string;
  mtaStsPort: number;
  policyTimeout: number;
  batchSize: number;
  allowReserved?: boolean;
  jsonl?: string;
  store: boolean;
  campaign?: string;
  vantage?: string;
  contact?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('domains')
    .description(
      'Resolve domains to their MX hosts, read their MTA-STS, DANE, TLS-RPT and preload-list policies, probe each MX address, and judge each against its policy.',
    )
    .argument('[domain...]', 'mail domains (example.org)')
    .option('--domains-file <file>', 'read domains from a file, one per line (# comments); - for stdin')
    .option(
      '--resolver <ip[:port]>',
      "the DNS resolver every lookup goes to (default: the system's, from /etc/resolv.conf)",
    )
    .option('--dns-timeout <ms>', 'time for one DNS attempt', parseIntInRange('--dns-timeout', 1, 600_000), 5000)
    .option(
      '--dns-attempts <n>',
      'UDP attempts before a lookup is a timeout',
      parseIntInRange('--dns-attempts', 1, 10),
      2,
    )
    .option(
      '--dns-rate <n>',
      'DNS queries per second (0: unpaced)',
      parseNumberInRange('--dns-rate', 0, 1_000_000),
      100,
    )
    .option(
      '--dns-concurrency <n>',
      'DNS queries in flight at once',
      parseIntInRange('--dns-concurrency', 1, 10_000),
      50,
    )
    .option('--allow-reserved', 'also probe MX addresses in the IANA special-purpose ranges (private, loopback, …)')
    .option('--preload-list <file>', "EFF's STARTTLS Everywhere list (JSON) as a policy source; never downloaded")
    .option(
      '--mta-sts-port <port>',
      'HTTPS port of MTA-STS policy hosts (443; other values for test rigs)',
      parseIntInRange('--mta-sts-port', 1, 65535),
      443,
    )
    .option(
      '--policy-timeout <ms>',
      'deadline of one MTA-STS policy fetch',
      parseIntInRange('--policy-timeout', 1, 600_000),
      10_000,
    )
    .option(
      '--batch-size <n>',
      'domains resolved, probed and stored together',
      parseIntInRange('--batch-size', 1, 1_000_000),
      1000,
    );
  addProbeOptions(cmd);
  addStoreFlags(cmd);
  cmd
    .option('--jsonl <file>', 'also write one JSON line per domain (its verdicts nested); - for stdout')
    .option('--no-store', 'do not write to ClickHouse (then results go to stdout unless --jsonl names a file)')
    .option('--campaign <name>', 'campaign label for the stored rows (default: generated)')
    .option('--vantage <label>', 'vantage point label (default: this host name)')
    .option('--contact <url>', 'where operators reach you or opt out; kept in the campaign record')
    .action(async (domains: string[], flags: DomainsFlags) => {
      const { runDomainScan } = await import('../../domains/domain-scan.js');
      await runDomainScan(await domainScanOptionsFromFlags(domains, flags));
    });
}

/** Flags → DomainScanOptions, every value checked before the first packet. */
export async function domainScanOptionsFromFlags(args: string[], flags: DomainsFlags): Promise<DomainScanOptions> {
  const resolver = flags.resolver === undefined ? systemResolver() : parseResolverAddress(flags.resolver);
  const tlsContext = createProbeTlsContext(flags.caFile === undefined ? {} : { caFile: flags.caFile });
  const preload = flags.preloadList === undefined ? PreloadList.EMPTY : readPreloadList(flags.preloadList);
  const domains = await readDomains(args, flags.domainsFile);
  if (flags.campaign !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(flags.campaign)) {
    throw new UsageError(`--campaign ${JSON.stringify(flags.campaign)}: expected letters, digits, '.', '_' or '-'`);
  }
  const campaign = flags.campaign ?? generatedCampaignName().replace(/^scan-/, 'domains-');
  const probe = probeOptionsFrom({ ...flags, targetsFile: undefined, blocklist: [] });
  const dns = new DnsClient({
    resolver,
    timeoutMs: flags.dnsTimeout,
    attempts: flags.dnsAttempts,
    concurrency: flags.dnsConcurrency,
    ...(flags.dnsRate > 0 ? { pacer: new TokenBucket(flags.dnsRate) } : {}),
  });
  return {
    domains,
    dns,
    resolve: {
      // The policy host is judged against the same anchors as cert_status: the system roots plus --ca-file.
      ca: [...rootCertificates, ...(flags.caFile === undefined ? [] : [readFileSync(flags.caFile, 'utf8')])],
      httpsPort: flags.mtaStsPort,
      timeoutMs: flags.policyTimeout,
      maxBytes: DEFAULT_MAX_POLICY_BYTES,
      preload,
      allowReserved: flags.allowReserved === true,
    },
    port: flags.port,
    concurrency: flags.concurrency,
    rate: flags.rate,
    driver: { ...probe, timeoutMs: flags.timeout, connectTimeoutMs: flags.connectTimeout, tlsContext },
    labels: { campaign, job: `${campaign}-domains`, vantage: flags.vantage ?? hostname() },
    store: flags.store ? storeOptionsFrom(flags) : null,
    jsonl: flags.jsonl ?? (flags.store ? undefined : '-'),
    params: {
      mode: 'domains',
      domains: domains.length,
      domains_file: flags.domainsFile ?? null,
      resolver: formatResolverAddress(resolver),
      preload_list: flags.preloadList ?? null,
      allow_reserved: flags.allowReserved === true,
      port: flags.port,
      mta_sts_port: flags.mtaStsPort,
      rate: flags.rate,
      dns_rate: flags.dnsRate,
      concurrency: flags.concurrency,
      timeout_ms: flags.timeout,
    },
    contact: flags.contact ?? '',
    batchSize: flags.batchSize,
    log: (text) => process.stderr.write(text),
  };
}

function readPreloadList(file: string): PreloadList {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--preload-list ${JSON.stringify(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: err,
      },
    );
  }
  try {
    return PreloadList.fromJson(JSON.parse(text));
  } catch (err) {
    throw new UsageError(
      `--preload-list ${JSON.stringify(file)}: not a STARTTLS Everywhere list (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
}
