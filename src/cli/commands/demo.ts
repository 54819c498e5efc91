/**
 * `stripscan demo`: the fresh-machine demonstration. Starts the simulated
 * fleet on loopback, scans it with the ordinary scan path (same runner, same
 * store), and prints what an analyst would look at first.
 */
import type { Command } from 'commander';
import { parseIntInRange } from '../options.js';

interface DemoFlags {
  range: string;
  mix: 'even' | 'realistic';
  dataDir?: string;
  seed: number;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Scan the simulated fleet on loopback into the embedded ClickHouse and show the results.')
    .option('--range <cidr>', 'fleet addresses (inside 127.0.0.0/8)', '127.16.0.0/22')
    .option('--mix <mix>', 'persona mix: even or realistic', 'realistic')
    .option('--seed <n>', 'fleet and scan order seed', parseIntInRange('--seed', 0, 2 ** 31), 1)
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (default ./stripscan-data)')
    .action(async (flags: DemoFlags) => {
      await runDemo(flags);
    });
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const { startFleetProcess } = await import('../../sim/fleet-process.js');
  const { parseFleetRange } = await import('../../sim/address-range.js');
  const { scanCommand, generatedCampaignName } = await import('./scan.js');
  const { DEFAULTS } = await import('../scan-options.js');

  const range = parseFleetRange('--range', flags.range);
  // The fleet runs as its own process, as real servers do: sharing the scanner's event loop, it would accept
  // connections late on a busy machine and the demo would record its own load (src/sim/fleet-process.ts).
  const fleet = await startFleetProcess({ range: flags.range, mix: flags.mix, seed: flags.seed });
  const campaign = generatedCampaignName().replace(/^scan-/, 'demo-');
  process.stderr.write(
    `demo: simulated fleet of ${range.size} hosts (${flags.mix} mix) on ${flags.range} port ${fleet.port}\n`,
  );
  try {
    await scanCommand([flags.range], {
      port: fleet.port,
      // What a real scan uses: the default pace and deadlines. The fleet's silent personas hold their
      // connection until the step deadline, which is why the demo takes about fifteen seconds.
      concurrency: DEFAULTS.concurrency,
      rate: DEFAULTS.rate,
      timeout: DEFAULTS.timeoutMs,
      connectTimeout: DEFAULTS.connectTimeoutMs,
      ehloName: 'demo.stripscan.localhost',
      caFile: fleet.caFile,
      forceStarttls: true,
      allowReserved: true,
      blocklist: [],
      seed: String(flags.seed),
      store: true,
      campaign,
      vantage: 'demo',
      contact: 'https://example.invalid/stripscan-demo',
      shards: 1,
      shard: 0,
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    });
  } finally {
    await fleet.stop();
  }
  process.stderr.write(
    `\ndemo: done. Try:\n  npx stripscan query --list\n  npx stripscan query --saved stripping-by-fingerprint --param campaign=${campaign}\n`,
  );
}
