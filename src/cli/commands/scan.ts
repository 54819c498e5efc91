/**
 * `stripscan scan`: probe a target set from this process, in the target
 * engine's seeded order, and write every record to the store and/or JSON
 * lines. The same chunk runner serves the distributed worker.
 */
import type { Command } from 'commander';
import { addProbeOptions, addTargetOptions, type ScanFlags } from '../scan-options.js';
import { parseIntInRange } from '../options.js';
import { addStoreFlags, type StoreFlags } from '../../store/store-flags.js';

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
}

export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('Probe SMTP servers for STARTTLS stripping and record one observation per target.')
    .argument('[target...]', 'addresses, CIDR blocks or ranges (a.b.c.d-e.f.g.h), IPv4 or IPv6');
  addTargetOptions(cmd);
  addProbeOptions(cmd);
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
    .action(async (targets: string[], flags: ScanCommandFlags) => {
      const { runScan } = await import('../run-scan.js');
      await runScan(targets, flags);
    });
}
