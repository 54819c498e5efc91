/**
 * `stripscan targets`: build a target set, then print its size and
 * exclusions (--count), its addresses in scan order (--list), or its chunks
 * (--chunks K), so that a plan can be inspected before it is scanned and
 * piped into `stripscan scan --targets-file -`.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ScanPlan, TargetNames } from '../../targets/index.js';
import type { LineWriter } from '../line-writer.js';
import { parseIntInRange } from '../options.js';

interface TargetsFlags {
  targetsFile?: string;
  seed?: string;
  shards: number;
  shard: number;
  allowReserved?: boolean;
  blocklist: string[];
  allowlist?: string;
  count?: boolean;
  list?: boolean;
  chunks?: number;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('targets')
    .description('Plan a target set: count it, list it in scan order, or cut it into chunks.')
    .argument(
      '[target...]',
      'addresses, CIDR blocks (10.0.0.0/8) or ranges (a.b.c.d-e.f.g.h), IPv4 or IPv6; ip,name carries a name',
    )
    .option(
      '--targets-file <file>',
      'read targets from a file, one per line (ZMap plain or CSV output, ZGrab2 ip,name[,tag]); - for stdin',
    )
    .option('--seed <seed>', 'order seed: a whole number below 2^64 or any text (default: random, printed)')
    .option('--shards <n>', 'split the order into n disjoint shards', parseIntInRange('--shards', 1, 65536), 1)
    .option('--shard <i>', 'which shard to produce, from 0 to n-1', parseIntInRange('--shard', 0, 65535), 0)
    .option('--allow-reserved', 'do not apply the default blocklist of reserved ranges (e.g. to scan 127.0.0.0/8)')
    .option('--blocklist <file>', 'exclude the targets listed in this file (repeatable)', collect, [])
    .option('--allowlist <file>', 'scan only targets also listed in this file (alone: scan the whole file)')
    .option('--count', 'print the number of addresses after exclusions, and the exclusions by reason')
    .option('--list', 'print the addresses in scan order, one per line (ip,name for each name an address carries)')
    .option('--chunks <k>', 'print the chunks of k positions as JSON lines', parseIntInRange('--chunks', 1, 2 ** 34))
    .option('--json', 'with --count: print JSON')
    .action(async (targets: string[], flags: TargetsFlags) => {
      const modes = [flags.count, flags.list, flags.chunks !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new UsageError('targets: give exactly one of --count, --list or --chunks <k>');
      if (flags.shard >= flags.shards) {
        throw new UsageError(`--shard ${flags.shard}: expected a whole number from 0 to ${flags.shards - 1}`);
      }
      await runTargets(targets, flags);
    });
}

async function runTargets(args: string[], flags: TargetsFlags): Promise<void> {
  const { resolveTargets, planFromFlags } = await import('../plan-from-flags.js');
  const { set, names } = await resolveTargets('targets', args, flags);
  // --count prints no order, so it does not announce a random seed either.
  const plan = planFromFlags(set, { ...flags, seed: flags.seed ?? (flags.count ? '0' : undefined) });
  if (flags.count) {
    printCount(plan, flags.json === true);
    return;
  }
  if (flags.chunks !== undefined) await printChunks(plan, flags.chunks);
  else await printAddresses(plan, names);
}

function printCount(plan: ScanPlan, json: boolean): void {
  const set = plan.set;
  const summary = {
    size: set.size,
    ipv4: set.ipv4Count,
    ipv6: set.size - set.ipv4Count,
    exclusions: set.exclusions,
    excluded: set.exclusions.reduce((sum, e) => sum + e.count, 0),
    shards: plan.shards,
    shard: plan.shard,
    positions: plan.positions,
    prime: plan.group.prime,
  };
  if (json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const rows: [string, string][] = [
    ['addresses', String(summary.size)],
    ['  IPv4', String(summary.ipv4)],
    ['  IPv6', String(summary.ipv6)],
    ['excluded', String(summary.excluded)],
    ...set.exclusions.map((e): [string, string] => [`  ${e.reason}`, String(e.count)]),
    [`shard ${plan.shard} of ${plan.shards}`, `${plan.positions} positions`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n');
}

async function printChunks(plan: ScanPlan, size: number): Promise<void> {
  const { chunksOf } = await import('../../targets/index.js');
  const { LineWriter } = await import('../line-writer.js');
  const writer = new LineWriter(process.stdout);
  for (const chunk of chunksOf(plan, size)) {
    if (writer.closed) break;
    if (writer.push(JSON.stringify(chunk))) await writer.flush();
  }
  await finish(writer);
}

/** One line per probe the scan would make: the address, or `address,name` for each name it carries. */
async function printAddresses(plan: ScanPlan, names: TargetNames): Promise<void> {
  const { ChunkWalker, wholeShard, formatIpv4 } = await import('../../targets/index.js');
  const { LineWriter } = await import('../line-writer.js');
  const writer = new LineWriter(process.stdout);
  const walker = new ChunkWalker(plan, wholeShard(plan));
  const set = plan.set;
  const batch = new Float64Array(4096);
  const named = names.size > 0;
  for (let n = walker.fill(batch); n > 0 && !writer.closed; n = walker.fill(batch)) {
    let due = false;
    for (let i = 0; i < n; i++) {
      const index = batch[i] as number;
      const address = index < set.ipv4Count ? formatIpv4(set.ipv4At(index)) : set.addressAt(index);
      if (!named) {
        due = writer.push(address) || due;
        continue;
      }
      for (const name of names.probesOf(address)) {
        due = writer.push(name === undefined ? address : `${address},${name}`) || due;
      }
    }
    if (due) await writer.flush();
  }
  await finish(writer);
}

async function finish(writer: LineWriter): Promise<void> {
  await writer.flush();
  const failure = writer.failure;
  if (failure !== null) throw failure;
}
