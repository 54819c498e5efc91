/**
 * `stripscan worker`: take chunk jobs of a campaign from Redis and probe them.
 * Long-running: a Redis that is away is waited for (logged once, retried with
 * backoff). Exits 2 for a campaign that does not exist, 0 at once for one
 * that has already ended (done, done-with-failures or cancelled).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { addRedisFlags, type RedisFlags } from '../../queue/redis-flags.js';
import { addMetricsFlags, type MetricsFlags } from '../metrics-flags.js';
import { parseIntInRange } from '../options.js';
import { addSourceAddressOption } from '../scan-options.js';
import { serviceTimeoutFrom } from '../service-timeout.js';

interface WorkerFlags extends RedisFlags, MetricsFlags {
  campaign: string;
  vantage?: string;
  caFile?: string;
  jobs: number;
  lockDuration: number;
  exitWhenDone?: boolean;
  shutdownGrace: number;
  quiet?: boolean;
  sourceAddress: string[];
  procs?: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('worker')
    .description('Run a scan worker for a distributed campaign (needs only Redis).')
    .requiredOption('--campaign <name>', 'campaign to work on');
  addSourceAddressOption(addMetricsFlags(addRedisFlags(cmd)))
    .option(
      '--vantage <label>',
      "this worker's vantage: for a campaign created with --vantages, which one it is (required; it takes only that vantage's chunks); otherwise a label for its records (default: the campaign's)",
    )
    .option('--ca-file <file>', "trust anchors on this machine (default: the campaign's --ca-file)")
    .option(
      '--jobs <n>',
      'chunks this process probes at full speed at once (it takes one more, to fill their tails)',
      parseIntInRange('--jobs', 1, 64),
      2,
    )
    .option(
      '--lock-duration <ms>',
      "chunk lock; a dead worker's chunk runs again after it",
      parseIntInRange('--lock-duration', 1000, 3_600_000),
      30_000,
    )
    .option('--exit-when-done', 'exit when the campaign is done or cancelled')
    .option(
      '--shutdown-grace <ms>',
      'on SIGTERM, longest wait for probes in flight',
      parseIntInRange('--shutdown-grace', 100, 600_000),
      60_000,
    )
    .option('--quiet', 'no per-chunk log lines')
    .option(
      '--procs <n>',
      'worker processes on this machine, each a worker of its own (default: the cores available)',
      parseIntInRange('--procs', 1, 256),
    )
    .action(async (flags: WorkerFlags) => {
      // A copy of another worker process (--procs) ends with it, from its first moment.
      (await import('../worker-processes.js')).endWithParent();
      const { startScanWorker } = await import('../../queue/scan-worker.js');
      const { resolveRedisUrl, checkPrefix } = await import('../../queue/redis-connection.js');
      const { SourceAddresses } = await import('../../probe/source-addresses.js');
      // Checked here (literals, bindable); against the campaign's target families once the worker has read it.
      const sourceAddresses = flags.sourceAddress.length > 0 ? new SourceAddresses(flags.sourceAddress) : undefined;
      await sourceAddresses?.checkBindable();
      const worker = await startScanWorker({
        redisUrl: resolveRedisUrl(flags),
        prefix: checkPrefix(flags.prefix),
        campaign: flags.campaign,
        ...(flags.vantage === undefined ? {} : { vantage: flags.vantage }),
        ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
        ...(sourceAddresses === undefined ? {} : { sourceAddresses }),
        jobs: flags.jobs,
        lockDurationMs: flags.lockDuration,
        ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
        metricsHost: flags.metricsHost,
        exitWhenDone: flags.exitWhenDone === true,
        serviceTimeoutMs: serviceTimeoutFrom(flags),
        log: flags.quiet === true ? () => undefined : (line) => process.stderr.write(`worker: ${line}\n`),
      });
      if (worker.ended !== null) {
        const { state, failedChunks } = worker.ended;
        const retry =
          state === 'done-with-failures'
            ? ` (${failedChunks} failed chunk(s): \`stripscan campaign retry ${flags.campaign}\` runs them again)`
            : '';
        process.stderr.write(`worker: campaign ${flags.campaign} is ${state}${retry}; nothing to do\n`);
        return;
      }
      process.stderr.write(
        `worker ${worker.id} on campaign ${flags.campaign}${flags.vantage === undefined ? '' : `, vantage ${flags.vantage}`}${worker.metricsPort === null ? '' : `; metrics on ${flags.metricsHost}:${worker.metricsPort}`}\n`,
      );
      // The other processes start once this one runs: a campaign that does not
      // exist or has ended is said once, by this process, and starts none.
      const { isWorkerCopy, startWorkerCopies } = await import('../worker-processes.js');
      const procs = isWorkerCopy() ? 1 : (flags.procs ?? availableParallelism());
      const copies =
        procs > 1
          ? startWorkerCopies({
              copies: procs - 1,
              args: process.argv.slice(2),
              metricsPort: flags.metricsPort ?? null,
              log: (line) => process.stderr.write(`worker: ${line}\n`),
            })
          : null;
      await runUntilSignal(worker.done, () => worker.close(), flags.shutdownGrace);
      const code = (await copies?.finished) ?? 0;
      if (code !== 0) process.exitCode = code;
    });
}

/** Run until `done` or SIGTERM/SIGINT; then close, and exit anyway after `graceMs`. */
export async function runUntilSignal(done: Promise<void>, close: () => Promise<void>, graceMs: number): Promise<void> {
  let onSignal: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (onSignal = resolve));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await Promise.race([done, signalled]);
  const force = setTimeout(() => {
    process.stderr.write(`stripscan: shutdown took longer than ${graceMs} ms; exiting\n`);
    process.exit(1);
  }, graceMs);
  force.unref();
  await close();
  clearTimeout(force);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}
