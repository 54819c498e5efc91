/**
 * `stripscan scan`: probe a target set from this process, in the target
 * engine's seeded order, and write every record to the store and/or JSON
 * lines. The same chunk runner serves the distributed worker; the scan itself
 * is src/scan/local-scan.ts, this file only turns flags into its options.
 */
import { availableParallelism, hostname } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { createProbeTlsContext } from '../../probe/tls-context.js';
import type { LocalScanOptions } from '../../scan/local-scan.js';
import { processesFor } from '../../scan/scan-processes.js';
import { addStoreFlags, storeOptionsFrom, type StoreFlags } from '../../store/store-flags.js';
import { parseIntInRange } from '../options.js';
import { planFromFlags, resolveTargets } from '../plan-from-flags.js';
import { startProgress } from '../progress.js';
import {
  addProbeOptions,
  addSourceAddressOption,
  addTargetOptions,
  probeOptionsFrom,
  type ScanFlags,
} from '../scan-options.js';

export interface ScanCommandFlags extends ScanFlags, StoreFlags {
  jsonl?: string;
  store: boolean;
  campaign?: string;
  vantage?: string;
  contact?: string;
  shards: number;
  shard: number;
  allowlist?: string;
  progress?: boolean;
  procs?: number;
  sourceAddress?: string[];
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('Probe SMTP servers for STARTTLS stripping and record one observation per target.')
    .argument(
      '[target...]',
      'addresses, CIDR blocks or ranges (a.b.c.d-e.f.g.h), IPv4 or IPv6; ip,name sends name as SNI',
    );
  addTargetOptions(cmd);
  addProbeOptions(cmd);
  addSourceAddressOption(cmd);
  addStoreFlags(cmd);
  cmd
    .option('--allowlist <file>', 'scan only targets also listed in this file')
    .option('--shards <n>', 'split the order into n disjoint shards', parseIntInRange('--shards', 1, 65536), 1)
    .option('--shard <i>', 'which shard to scan, from 0 to n-1', parseIntInRange('--shard', 0, 65535), 0)
    .option('--jsonl <file>', 'also write records as JSON lines to a file; - for stdout')
    .option('--no-store', 'do not write to ClickHouse (then records go to stdout unless --jsonl names a file)')
    .option('--campaign <name>', 'campaign label for the stored records (default: generated)')
    .option('--vantage <label>', 'vantage point label (default: this host name)')
    .option('--contact <url>', 'where operators reach you or opt out; kept in the campaign record')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--procs <n>',
      'scan processes sharing the plan, --rate and --concurrency (default: the cores available; fewer for small scans)',
      parseIntInRange('--procs', 1, 256),
    )
    .action(async (targets: string[], flags: ScanCommandFlags) => {
      await scanCommand(targets, flags);
    });
}

export function generatedCampaignName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `scan-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Flags → LocalScanOptions, validating everything before the first packet: a bad flag must scan nothing. */
export async function scanOptionsFromFlags(targets: string[], flags: ScanCommandFlags): Promise<LocalScanOptions> {
  const tlsContext = createProbeTlsContext(flags.caFile === undefined ? {} : { caFile: flags.caFile });
  const { set, names, specs, blocklists, allowlist } = await resolveTargets('scan', targets, flags);
  const { familiesOf, sourceAddressesFrom } = await import('../../probe/source-addresses.js');
  const sourceAddresses = await sourceAddressesFrom(flags.sourceAddress, familiesOf(set));
  const plan = planFromFlags(set, flags);
  if (flags.campaign !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(flags.campaign)) {
    throw new UsageError(`--campaign ${JSON.stringify(flags.campaign)}: expected letters, digits, '.', '_' or '-'`);
  }
  const campaign = flags.campaign ?? generatedCampaignName();
  const probe = probeOptionsFrom(flags);
  const jsonl = flags.jsonl ?? (flags.store ? undefined : '-');
  const showProgress = flags.progress !== false && process.stderr.isTTY === true && jsonl !== '-';
  const procs = processesFor(
    flags.procs ?? availableParallelism(),
    Math.ceil(set.size / plan.shards),
    flags.concurrency,
  );
  return {
    plan,
    parts: {
      procs,
      caFile: flags.caFile,
      recipe: {
        specs,
        blocklists,
        allowlist,
        allowReserved: flags.allowReserved === true,
        seed: plan.seed,
        shards: plan.shards,
        shard: plan.shard,
      },
    },
    names,
    setSize: set.size,
    port: flags.port,
    concurrency: flags.concurrency,
    rate: flags.rate,
    driver: {
      ...probe,
      timeoutMs: flags.timeout,
      connectTimeoutMs: flags.connectTimeout,
      tlsContext,
      ...(sourceAddresses === undefined ? {} : { sourceAddresses }),
    },
    labels: { campaign, job: `${campaign}-local-${plan.shard}`, vantage: flags.vantage ?? hostname() },
    store: flags.store ? storeOptionsFrom(flags) : null,
    jsonl,
    params: {
      targets,
      targets_file: flags.targetsFile ?? null,
      port: flags.port,
      rate: flags.rate,
      concurrency: flags.concurrency,
      force_starttls: flags.forceStarttls,
      implicit_tls: probe.implicitTls,
      timeout_ms: flags.timeout,
      shards: plan.shards,
      shard: plan.shard,
      mode: 'local',
    },
    contact: flags.contact ?? '',
    startProgress: (total) => startProgress(total, showProgress),
    log: (text) => process.stderr.write(text),
  };
}

export async function scanCommand(targets: string[], flags: ScanCommandFlags): Promise<void> {
  const { runLocalScan } = await import('../../scan/local-scan.js');
  await runLocalScan(await scanOptionsFromFlags(targets, flags));
}
