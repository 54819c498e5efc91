/**
 * `stripscan sim`: the simulated SMTP fleet on loopback, for demos, tests,
 * benchmarks, and for a researcher to check a deployment before scanning
 * anything real. Runs until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_RANGE } from '../../sim/address-range.js';
import { parseIntInRange } from '../options.js';

interface SimFlags {
  range: string;
  port: number;
  mix: string;
  seed: number;
  manifest?: string;
  caOut?: string;
  implicitTlsPort?: number;
  pathSources: string[];
}

const MIX_VALUES = ['even', 'realistic'] as const;

function parseMix(value: string): (typeof MIX_VALUES)[number] {
  const found = MIX_VALUES.find((m) => m === value);
  if (found === undefined)
    throw new UsageError(`--mix ${JSON.stringify(value)}: expected one of ${MIX_VALUES.join(', ')}`);
  return found;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('Serve a simulated fleet of SMTP servers on loopback addresses (one persona per address).')
    .option(
      '--range <cidr>',
      'loopback addresses to serve: a CIDR inside 127.0.0.0/8, or ::1 (a range too large for one process is served by several)',
      DEFAULT_RANGE,
    )
    .option('--port <n>', 'STARTTLS port (0: any free port)', parseIntInRange('--port', 0, 65535), 2525)
    .option(
      '--implicit-tls-port <n>',
      'also serve TLS from the first byte on this port',
      parseIntInRange('--implicit-tls-port', 0, 65535),
    )
    .option('--mix <mix>', 'persona mix: even (round robin) or realistic (weights in docs/sim.md)', parseMix, 'even')
    .option('--seed <n>', 'seed of the realistic mix', parseIntInRange('--seed', 0, 4294967295), 1)
    .option('--manifest <file>', 'write one JSON line per host and port: persona and expected record fields')
    .option('--ca-out <file>', "write the sim CA's certificate (PEM) here, for the scanner's --ca-file")
    .option(
      '--path-sources <addresses>',
      "loopback client addresses (comma-separated, repeatable) whose connections pass the path personas' middleboxes; adds the path personas to the even mix (docs/sim.md)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (flags: SimFlags) => {
      const { runSim } = await import('../../sim/run-sim.js');
      await runSim({
        range: flags.range,
        port: flags.port,
        implicitTlsPort: flags.implicitTlsPort,
        mix: parseMix(flags.mix),
        seed: flags.seed,
        manifest: flags.manifest,
        caOut: flags.caOut,
        pathSources: flags.pathSources,
      });
    });
}
