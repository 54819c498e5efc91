/**
 * Flags of `npm run bench`. Bad input is a UsageError naming the flag and the
 * value (exit 2), as everywhere in stripscan.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';

/** TLS hosts of the even mix a /16 holds (65,536 / 37 personas, one address spare): the largest fleet the bench starts. */
export const MAX_HOSTS_PER_PERSONA = 1_700;

export const SUITES = ['probe', 'nmap', 'testssl', 'concurrency', 'procs', 'e2e', 'store', 'targets'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchOptions {
  only: Suite[];
  runs: number;
  /** Fleet hosts with TLS (persona postfix-tls-ok) for the probe and nmap benchmarks. */
  hosts: number;
  /** Probes per throughput run (the host list is cycled). */
  probes: number;
  concurrency: number;
  /** Probes held in flight by the concurrency benchmark. */
  inflight: number;
  /** Probes held in flight across scan processes by the procs benchmark, and how many processes. */
  procsInflight: number;
  procs: number;
  testsslHosts: number;
  storeRows: number;
  targetsMillions: number;
  /** Install nmap / testssl.sh from Debian when missing. */
  install: boolean;
  /** Prefix length of the fleet range the end-to-end campaign covers (16: 65,536 addresses). */
  e2ePrefix: number;
  out: string;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]
  --only LIST            suites, comma separated: ${SUITES.join(',')} (default: all)
  --runs N               runs per benchmark, median reported (default 3)
  --hosts N              fleet hosts with TLS for probe and nmap (default 1024, at most 1700)
  --probes N             probes per throughput run, host list cycled (default 4000)
  --concurrency N        probes in flight for throughput runs (default 64)
  --inflight N           probes in flight for the concurrency benchmark (default 19800)
  --procs-inflight N     probes in flight across scan processes for the procs benchmark (default 50000)
  --procs N              scan processes holding them (default 3)
  --testssl-hosts N      hosts for testssl.sh (default 4)
  --store-rows N         rows per store-bench run (default 100000)
  --targets-millions N   positions for targets-bench, in millions (default 10)
  --e2e-prefix N         end-to-end campaign over a /N of the fleet, 16 to 24 (default 16)
  --no-install           never apt-get nmap/testssl.sh; skip their suites when missing
  --out FILE             JSON results (default bench/results/latest.json)
  --help                 this text`;

function positiveInt(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${flag} ${JSON.stringify(raw)}: expected an integer from 1 to ${max}`);
  }
  return Number(raw);
}

function e2ePrefix(raw: string | undefined): number {
  if (raw === undefined) return 16;
  if (!/^\d+$/.test(raw) || Number(raw) < 16 || Number(raw) > 24) {
    throw new UsageError(`--e2e-prefix ${JSON.stringify(raw)}: expected a prefix length from 16 to 24`);
  }
  return Number(raw);
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: 'string' },
        runs: { type: 'string' },
        hosts: { type: 'string' },
        probes: { type: 'string' },
        concurrency: { type: 'string' },
        inflight: { type: 'string' },
        'testssl-hosts': { type: 'string' },
        'procs-inflight': { type: 'string' },
        procs: { type: 'string' },
        'store-rows': { type: 'string' },
        'targets-millions': { type: 'string' },
        'no-install': { type: 'boolean' },
        'e2e-prefix': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`, { cause: err });
  }
  const only: Suite[] = [];
  for (const name of (values.only ?? SUITES.join(',')).split(',')) {
    const suite = SUITES.find((s) => s === name.trim());
    if (suite === undefined) {
      throw new UsageError(`--only ${JSON.stringify(name)}: expected some of ${SUITES.join(', ')}`);
    }
    if (!only.includes(suite)) only.push(suite);
  }
  return {
    only,
    runs: positiveInt('--runs', values.runs, 3, 50),
    hosts: positiveInt('--hosts', values.hosts, 1024, MAX_HOSTS_PER_PERSONA),
    probes: positiveInt('--probes', values.probes, 4000, 1_000_000),
    concurrency: positiveInt('--concurrency', values.concurrency, 64, 10_000),
    inflight: positiveInt('--inflight', values.inflight, 19_800, 100_000),
    procsInflight: positiveInt('--procs-inflight', values['procs-inflight'], 50_000, 60_000),
    procs: positiveInt('--procs', values.procs, 3, 16),
    testsslHosts: positiveInt('--testssl-hosts', values['testssl-hosts'], 4, 64),
    storeRows: positiveInt('--store-rows', values['store-rows'], 100_000, 100_000_000),
    targetsMillions: positiveInt('--targets-millions', values['targets-millions'], 10, 4096),
    install: values['no-install'] !== true,
    e2ePrefix: e2ePrefix(values['e2e-prefix']),
    out: values.out ?? 'bench/results/latest.json',
    help: values.help === true,
  };
}
