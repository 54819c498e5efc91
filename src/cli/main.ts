/**
 * The `stripscan` command line. Exit codes: 0 done; 1 the program or a
 * service failed (a query ClickHouse refused, a store that failed mid-way);
 * 2 bad input (a flag, a target, a file), before any packet is sent; 3 a
 * service (Redis, ClickHouse) could not be reached within the service
 * timeout. The README's "When things fail" section lists them.
 * Each subcommand lives in its own file under
 * ./commands/ and exports `register(program)`; heavy modules (chDB, BullMQ)
 * are imported inside actions so that `--help` stays fast.
 */
import { readdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { StripscanError, UnavailableError, UsageError } from '../errors.js';

export type CommandModule = { register(program: Command): void };

/**
 * Registers the command named first on the command line, or every command
 * (for `--help`, a misspelt name's suggestions): compiling the modules of
 * thirteen commands to run one costs a one-host scan about a third of its time.
 */
async function loadCommands(program: Command, argv: readonly string[]): Promise<void> {
  const dir = new URL('./commands/', import.meta.url);
  const all = readdirSync(dir)
    .filter((f) => /\.[tj]s$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort();
  const named = all.filter((f) => f.replace(/\.[tj]s$/, '') === argv[0]);
  const files = named.length === 1 ? named : all;
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as CommandModule;
    mod.register(program);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('stripscan')
    .description('Measure STARTTLS stripping on SMTP servers: probe, classify, queue, store in ClickHouse.')
    .showHelpAfterError()
    .exitOverride();
  await loadCommands(program, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    if (err.exitCode === 0) return 0;
    return 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`stripscan: ${err.message}\n`);
    return 2;
  }
  if (err instanceof UnavailableError) {
    process.stderr.write(`stripscan: ${err.message}\n`);
    return 3;
  }
  if (err instanceof StripscanError) {
    process.stderr.write(`stripscan: ${err.message} [${err.code}]\n`);
    // A message that already quotes its cause (ClickHouse's own words) does not repeat it.
    const cause = err.cause instanceof Error ? err.cause.message.replace(/\s+/g, ' ').trim() : '';
    if (cause !== '' && !err.message.includes(cause.slice(0, 40))) process.stderr.write(`  cause: ${cause}\n`);
    return 1;
  }
  process.stderr.write(
    `stripscan: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 1;
}

const code = await main(process.argv.slice(2));
// Let pending writes (stdout pipes) drain before exiting.
process.exitCode = code;
