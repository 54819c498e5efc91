/**
 * Target engine benchmark (issue #3). Run: npx tsx bench/targets-bench.ts [millions]
 *
 * 1. Planning 0.0.0.0/0 minus the default blocklist: wall time and RSS growth.
 * 2. Generation in permuted order with the blocklist applied: addresses per
 *    second on one core, median of 5 runs, for the split-double
 *    multiplication the engine uses, a BigInt variant of the same loop, and
 *    the engine with text output (what --list and addressesOf produce).
 */
import {
  buildTargetSet,
  ChunkWalker,
  formatIpv4,
  planScan,
  type ChunkSpec,
  type ScanPlan,
} from '../src/targets/index.js';
import { median } from './harness/median.js';

const millions = Number(process.argv[2] ?? 50);
const TOTAL = Math.round(millions * 1e6);
const RUNS = 5;

function chunkOf(plan: ScanPlan, count: number): ChunkSpec {
  return { seed: plan.seed, shard: plan.shard, shards: plan.shards, start: 12_345, count };
}

/** The engine's path: walker fills set indices, the set maps them to IPv4 numbers. */
function runSplit(plan: ScanPlan, positions: number): { emitted: number; checksum: number } {
  const walker = new ChunkWalker(plan, chunkOf(plan, positions));
  const set = plan.set;
  const batch = new Float64Array(4096);
  let emitted = 0;
  let checksum = 0;
  for (let n = walker.fill(batch); n > 0; n = walker.fill(batch)) {
    for (let i = 0; i < n; i++) checksum = (checksum + set.ipv4At(batch[i] as number)) % 4294967296;
    emitted += n;
  }
  return { emitted, checksum };
}

/** The same batched loop with BigInt arithmetic, for comparison: only the multiplication differs. */
function runBigInt(plan: ScanPlan, positions: number): { emitted: number; checksum: number } {
  const p = BigInt(plan.group.prime);
  const g = BigInt(plan.group.generator);
  const n = BigInt(plan.size);
  const set = plan.set;
  const batch = new Float64Array(4096);
  let x = BigInt(plan.elementAt(12_345));
  let remaining = positions;
  let emitted = 0;
  let checksum = 0;
  while (remaining > 0) {
    let written = 0;
    while (remaining > 0 && written < batch.length) {
      if (x <= n) batch[written++] = Number(x) - 1;
      remaining--;
      x = (x * g) % p;
    }
    for (let i = 0; i < written; i++) checksum = (checksum + set.ipv4At(batch[i] as number)) % 4294967296;
    emitted += written;
  }
  return { emitted, checksum };
}

/** The engine with text output, as `stripscan targets --list` produces it (minus the write). */
function runText(plan: ScanPlan, positions: number): { emitted: number; checksum: number } {
  const walker = new ChunkWalker(plan, chunkOf(plan, positions));
  const set = plan.set;
  const batch = new Float64Array(4096);
  let emitted = 0;
  let checksum = 0;
  for (let n = walker.fill(batch); n > 0; n = walker.fill(batch)) {
    for (let i = 0; i < n; i++) checksum += formatIpv4(set.ipv4At(batch[i] as number)).length;
    emitted += n;
  }
  return { emitted, checksum };
}

interface Variant {
  name: string;
  positions: number;
  run: (plan: ScanPlan, positions: number) => { emitted: number; checksum: number };
}

/** Median rate of each variant; runs are interleaved so that load from other processes hits all alike. */
function rates(plan: ScanPlan, variants: Variant[]): Map<string, { median: number; checksum: number }> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const checksums = new Map<string, number>();
  for (let r = 0; r < RUNS; r++) {
    for (const variant of variants) {
      const started = process.hrtime.bigint();
      const result = variant.run(plan, variant.positions);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      samples.get(variant.name)?.push(result.emitted / seconds);
      checksums.set(variant.name, result.checksum);
    }
  }
  return new Map(
    variants.map((v) => [v.name, { median: median(samples.get(v.name) ?? []), checksum: checksums.get(v.name) ?? 0 }]),
  );
}

global.gc?.();
const rssBefore = process.memoryUsage().rss;
const planStarted = process.hrtime.bigint();
const set = buildTargetSet({ specs: ['0.0.0.0/0'], allowReserved: false, blocklists: [] });
const plan = planScan(set, { seed: 'bench', shards: 1, shard: 0 });
const planSeconds = Number(process.hrtime.bigint() - planStarted) / 1e9;
const rssDelta = process.memoryUsage().rss - rssBefore;

const variants: Variant[] = [
  { name: 'split', positions: TOTAL, run: runSplit },
  { name: 'bigint', positions: TOTAL, run: runBigInt },
  { name: 'text', positions: Math.round(TOTAL / 5), run: runText },
];
const measured = rates(plan, variants);
const split = measured.get('split') ?? { median: 0, checksum: 0 };
const bigint = measured.get('bigint') ?? { median: 0, checksum: 0 };
const text = measured.get('text') ?? { median: 0, checksum: 0 };
if (split.checksum === 0 || split.checksum !== bigint.checksum) throw new Error('split and BigInt variants disagree');
const rows: [string, string][] = [
  ['set size (0.0.0.0/0 minus reserved)', String(set.size)],
  ['prime / generator', `${plan.group.prime} / ${plan.group.generator}`],
  ['plan: wall time', `${(planSeconds * 1000).toFixed(1)} ms`],
  ['plan: RSS growth', `${(rssDelta / 1e6).toFixed(1)} MB`],
  [`generate, split doubles (${millions} M positions)`, `${(split.median / 1e6).toFixed(1)} M addresses/s`],
  [`generate, BigInt (${millions} M positions)`, `${(bigint.median / 1e6).toFixed(1)} M addresses/s`],
  [`generate + format text (${millions / 5} M positions)`, `${(text.median / 1e6).toFixed(1)} M addresses/s`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`targets bench, node ${process.version}, median of ${RUNS} runs`);
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
