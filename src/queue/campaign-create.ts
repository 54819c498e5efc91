/** Turn resolved targets and flags into a campaign spec: plan size, chunk count, politeness check. */
import { UsageError } from '../errors.js';
import { planScan, type NamedSpecs, type TargetSet } from '../targets/index.js';
import { CAMPAIGN_NAME, VANTAGE_LABEL, type CampaignSpec } from './campaign-spec.js';
import { expectedPer24Rate } from './politeness.js';

export interface CampaignInput {
  name: string;
  specs: string[];
  blocklists: NamedSpecs[];
  allowlist: NamedSpecs | undefined;
  allowReserved: boolean;
  set: TargetSet;
  seed: string;
  chunkSize: number;
  queueDepth: number;
  port: number;
  concurrency: number;
  rate: number;
  per24Rate: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  ehloName: string;
  contact: string;
  vantage: string;
  /** `--vantages a,b,c` as given (comma-separated, repeatable); absent: one vantage, `vantage`. */
  vantages?: readonly string[];
  forceStartTls: boolean;
  implicitTls: boolean;
  caFile: string | null;
}

export function campaignSpecFrom(input: CampaignInput): CampaignSpec {
  if (!CAMPAIGN_NAME.test(input.name)) {
    throw new UsageError(`campaign name ${JSON.stringify(input.name)}: expected letters, digits, '.', '_' or '-'`);
  }
  if (input.per24Rate > 0) {
    if (input.rate === 0) {
      throw new UsageError(`--rate 0: an unpaced campaign cannot keep --per24-rate ${input.per24Rate}; set a rate`);
    }
    const per24 = expectedPer24Rate(input.rate, input.set.size);
    if (per24 > input.per24Rate) {
      const maxRate = Math.floor((input.per24Rate * input.set.size) / Math.min(256, input.set.size));
      throw new UsageError(
        `--rate ${input.rate}: over ${input.set.size} addresses this reaches ${per24.toFixed(1)} new connections per /24 per second, above --per24-rate ${input.per24Rate}; use --rate ${maxRate} or lower`,
      );
    }
  }
  const vantages = input.vantages === undefined ? undefined : parseVantages(input.vantages);
  const plan = planScan(input.set, { seed: input.seed, shards: 1, shard: 0 });
  return {
    name: input.name,
    specs: input.specs,
    blocklists: input.blocklists.map((b) => ({ name: b.name, specs: [...b.specs] })),
    allowlist: input.allowlist === undefined ? null : { name: input.allowlist.name, specs: [...input.allowlist.specs] },
    allowReserved: input.allowReserved,
    seed: plan.seed,
    chunkSize: input.chunkSize,
    queueDepth: input.queueDepth,
    positions: plan.positions,
    chunksTotal: Math.ceil(plan.positions / input.chunkSize),
    size: input.set.size,
    port: input.port,
    concurrency: input.concurrency,
    rate: input.rate,
    per24Rate: input.per24Rate,
    timeoutMs: input.timeoutMs,
    connectTimeoutMs: input.connectTimeoutMs,
    ehloName: input.ehloName,
    contact: input.contact,
    // The list names the vantages of a multi-vantage campaign; `vantage` keeps the first for readers of one label.
    vantage: vantages?.[0] ?? input.vantage,
    ...(vantages === undefined ? {} : { vantages }),
    forceStartTls: input.forceStartTls,
    implicitTls: input.implicitTls,
    caFile: input.caFile,
    createdAt: new Date().toISOString(),
  };
}

/** `--vantages` values (each may hold a comma-separated list) → labels, each checked, none twice. */
export function parseVantages(values: readonly string[]): string[] {
  const labels: string[] = [];
  for (const label of values.flatMap((v) => v.split(','))) {
    if (!VANTAGE_LABEL.test(label)) {
      throw new UsageError(
        `--vantages: vantage label ${JSON.stringify(label)}: expected letters, digits, '.', '_' or '-' (at most 128, not starting with '.', '_' or '-')`,
      );
    }
    if (labels.includes(label)) throw new UsageError(`--vantages: vantage label ${JSON.stringify(label)} given twice`);
    labels.push(label);
  }
  if (labels.length === 0) throw new UsageError('--vantages: no vantage label given');
  return labels;
}
