/**
 * Turn the target flags shared by `scan`, `targets` and `campaign create`
 * into a target set and a seeded plan: read the files, subtract the
 * blocklists, apply the reserved-range rule.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import {
  buildNamedTargetSet,
  planScan,
  type NamedSpecs,
  type ScanPlan,
  type TargetNames,
  type TargetSet,
} from '../targets/index.js';
import { readTargetSpecs } from './read-targets.js';

export interface TargetFlags {
  targetsFile?: string;
  allowReserved?: boolean;
  blocklist: string[];
  allowlist?: string;
  seed?: string;
  shards?: number;
  shard?: number;
}

export interface ResolvedTargets {
  /**
   * Everything needed to rebuild the set elsewhere (a worker rebuilds it from the campaign record):
   * the target strings as given, `ip,name` ones included (TargetNames.split reads them again).
   */
  specs: string[];
  blocklists: NamedSpecs[];
  allowlist: NamedSpecs | undefined;
  set: TargetSet;
  /** The names targets carried, per address. */
  names: TargetNames;
}

export async function resolveTargets(command: string, args: string[], flags: TargetFlags): Promise<ResolvedTargets> {
  const specs = [...args];
  if (flags.targetsFile !== undefined) {
    specs.push(
      ...(await readTargetSpecs(flags.targetsFile, { flag: '--targets-file', allowEmpty: false, names: true })),
    );
  }
  const blocklists: NamedSpecs[] = [];
  for (const file of flags.blocklist) {
    blocklists.push({
      name: file,
      specs: await readTargetSpecs(file, { flag: '--blocklist', allowEmpty: true, names: false }),
    });
  }
  const allowlist =
    flags.allowlist === undefined
      ? undefined
      : {
          name: flags.allowlist,
          specs: await readTargetSpecs(flags.allowlist, { flag: '--allowlist', allowEmpty: false, names: false }),
        };
  if (specs.length === 0 && allowlist === undefined) {
    throw new UsageError(`${command}: no targets given: name them as arguments, with --targets-file or --allowlist`);
  }
  const { set, names } = buildNamedTargetSet({
    specs,
    allowReserved: flags.allowReserved === true,
    blocklists,
    ...(allowlist === undefined ? {} : { allowlist }),
  });
  return { specs, blocklists, allowlist, set, names };
}

/** A fresh 64-bit seed, so that two scans of the same set visit it in different orders. */
export function randomSeed(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}

export function planFromFlags(set: TargetSet, flags: TargetFlags): ScanPlan {
  const shards = flags.shards ?? 1;
  const shard = flags.shard ?? 0;
  if (shard >= shards) throw new UsageError(`--shard ${shard}: expected a whole number from 0 to ${shards - 1}`);
  const plan = planScan(set, { seed: flags.seed ?? randomSeed(), shards, shard });
  if (flags.seed === undefined) {
    process.stderr.write(`stripscan: seed ${plan.seed} (pass --seed ${plan.seed} to repeat this order)\n`);
  }
  return plan;
}
