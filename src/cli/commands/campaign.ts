/**
 * `stripscan campaign create|start|status|pause|resume|cancel|retry|list`: a
 * distributed campaign on BullMQ/Redis. `create` takes the same target and
 * probe options as `stripscan scan` (one option table, src/cli/scan-options.ts).
 * Every subcommand is one-shot: a Redis it cannot reach within
 * --service-timeout ends it with exit 3 (src/queue/redis-once.ts).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { parseContact, parseIntInRange, parseNumberInRange } from '../options.js';
import {
  addProbeOptions,
  addTargetOptions,
  IMPLICIT_TLS_PORTS,
  defaultEhloName,
  type ScanFlags,
} from '../scan-options.js';
import { addRedisFlags, type RedisFlags } from '../../queue/redis-flags.js';
import { serviceTimeoutFrom } from '../service-timeout.js';

export interface CreateFlags extends ScanFlags, RedisFlags {
  allowlist?: string;
  vantage?: string;
  vantages?: string[];
  contact: string;
  chunkSize: number;
  queueDepth: number;
  per24Rate: number;
}

async function withRedis<T>(flags: RedisFlags, body: (redis: Redis, prefix: string) => Promise<T>): Promise<T> {
  const { resolveRedisUrl, checkPrefix } = await import('../../queue/redis-connection.js');
  const { withRedis: withRedisOnce } = await import('../../queue/redis-once.js');
  const prefix = checkPrefix(flags.prefix);
  return withRedisOnce(resolveRedisUrl(flags), serviceTimeoutFrom(flags), (redis) => body(redis, prefix));
}

export function register(program: Command): void {
  const campaign = program
    .command('campaign')
    .description('Distributed campaigns: chunks on a Redis queue, scan workers, a result writer.');

  const create = campaign
    .command('create')
    .description('Record a campaign and plan its chunks (nothing is probed until `campaign start`).')
    .argument('<name>', 'campaign name: letters, digits, ".", "_" or "-"')
    .argument('[target...]', 'addresses, CIDR blocks or ranges, IPv4 or IPv6; ip,name sends name as SNI');
  addTargetOptions(create);
  addProbeOptions(create);
  addRedisFlags(create)
    .option('--allowlist <file>', 'scan only targets also listed in this file')
    .option('--vantage <label>', 'vantage point label (default: this host name; a worker may override it)')
    .option(
      '--vantages <labels>',
      'run every chunk once from each of these vantage points (comma-separated labels); each worker then names its own with --vantage',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .requiredOption(
      '--contact <url>',
      '(required) where a network operator reaches you about this scan: an http(s) URL or a mail address (stored with the campaign)',
      parseContact('--contact'),
    )
    .option('--chunk-size <n>', 'cycle positions per chunk job', parseIntInRange('--chunk-size', 1, 16_777_216), 4096)
    .option('--queue-depth <n>', 'chunk jobs kept waiting in Redis', parseIntInRange('--queue-depth', 1, 10_000), 32)
    .option(
      '--per24-rate <n>',
      'politeness: most expected new connections per /24 per second (0: no check)',
      parseNumberInRange('--per24-rate', 0, 1_000_000),
      10,
    )
    .action(async (name: string, targets: string[], flags: CreateFlags) => {
      const { resolveTargets, randomSeed } = await import('../plan-from-flags.js');
      const { campaignSpecFrom } = await import('../../queue/campaign-create.js');
      const { createCampaign } = await import('../../queue/campaign-store.js');
      const { createProbeTlsContext } = await import('../../probe/tls-context.js');
      // Validate before touching Redis: a bad CA file must create nothing.
      createProbeTlsContext(flags.caFile === undefined ? {} : { caFile: flags.caFile });
      const { UsageError } = await import('../../errors.js');
      if (flags.vantages !== undefined && flags.vantage !== undefined) {
        throw new UsageError('--vantage and --vantages: give one (--vantages names every vantage of the campaign)');
      }
      const resolved = await resolveTargets('campaign create', targets, flags);
      const spec = campaignSpecFrom({
        name,
        ...resolved,
        allowReserved: flags.allowReserved === true,
        seed: flags.seed ?? randomSeed(),
        chunkSize: flags.chunkSize,
        queueDepth: flags.queueDepth,
        port: flags.port,
        concurrency: flags.concurrency,
        rate: flags.rate,
        per24Rate: flags.per24Rate,
        timeoutMs: flags.timeout,
        connectTimeoutMs: flags.connectTimeout,
        ehloName: flags.ehloName ?? defaultEhloName(),
        contact: flags.contact,
        vantage: flags.vantage ?? hostname(),
        ...(flags.vantages === undefined ? {} : { vantages: flags.vantages }),
        forceStartTls: flags.forceStarttls,
        implicitTls: flags.implicitTls ?? IMPLICIT_TLS_PORTS.has(flags.port),
        caFile: flags.caFile === undefined ? null : (await import('node:path')).resolve(flags.caFile),
      });
      await withRedis(flags, (redis, prefix) => createCampaign(redis, prefix, spec));
      const from =
        spec.vantages === undefined
          ? ''
          : `, from each of ${spec.vantages.length} vantages (${spec.vantages.join(', ')})`;
      process.stdout.write(
        `campaign ${spec.name}: ${spec.size} addresses in ${spec.chunksTotal} chunks${from} (seed ${spec.seed}); run \`stripscan campaign start ${spec.name}\`\n`,
      );
    });

  addRedisFlags(
    campaign
      .command('retry')
      .description('queue the chunks that failed for good again (a done-with-failures campaign runs again)')
      .argument('<name>', 'campaign name'),
  ).action(async (name: string, flags: RedisFlags) => {
    const { retryFailedChunks } = await import('../../queue/campaign-retry.js');
    const { requeued, state } = await withRedis(flags, (redis, prefix) => retryFailedChunks(redis, prefix, name));
    process.stdout.write(`campaign ${name}: ${requeued} failed chunk(s) queued again; ${state}\n`);
  });

  for (const action of ['start', 'pause', 'resume', 'cancel'] as const) {
    addRedisFlags(
      campaign.command(action).description(`${action} a campaign`).argument('<name>', 'campaign name'),
    ).action(async (name: string, flags: RedisFlags) => {
      const { controlCampaign } = await import('../../queue/campaign-control.js');
      const state = await withRedis(flags, (redis, prefix) => controlCampaign(redis, prefix, name, action));
      process.stdout.write(`campaign ${name}: ${state}\n`);
    });
  }

  addRedisFlags(campaign.command('list').description('list campaigns and their states')).action(
    async (flags: RedisFlags) => {
      const { chunkJobsTotal, listCampaigns, readCampaign } = await import('../../queue/campaign-store.js');
      await withRedis(flags, async (redis, prefix) => {
        for (const name of await listCampaigns(redis, prefix)) {
          const record = await readCampaign(redis, prefix, name);
          const failed = record.failedChunks > 0 ? `, ${record.failedChunks} failed` : '';
          process.stdout.write(
            `${name}\t${record.state}\t${record.doneChunks}/${chunkJobsTotal(record.spec)} chunks${failed}\n`,
          );
        }
      });
    },
  );

  addRedisFlags(
    campaign
      .command('status')
      .description('progress, rate, ETA, failed chunks, outcomes, workers and writer backlog')
      .argument('<name>', 'campaign name'),
  )
    .option('--json', 'one JSON object (with --watch: one per line)')
    .option(
      '--watch [seconds]',
      'redraw every few seconds until the campaign ends',
      parseNumberInRange('--watch', 0.2, 3600),
    )
    .action(async (name: string, flags: RedisFlags & { json?: boolean; watch?: number | true }) => {
      const { campaignStatus, formatStatus } = await import('../../queue/campaign-status.js');
      const { ENDED_STATES } = await import('../../queue/campaign-spec.js');
      await withRedis(flags, async (redis, prefix) => {
        const intervalMs = flags.watch === undefined ? 0 : 1000 * (flags.watch === true ? 2 : flags.watch);
        for (;;) {
          const status = await campaignStatus(redis, prefix, name);
          if (flags.json === true) process.stdout.write(JSON.stringify(status) + '\n');
          else {
            if (intervalMs > 0 && process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
            process.stdout.write(formatStatus(status));
          }
          if (intervalMs === 0 || ENDED_STATES.includes(status.state)) break;
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      });
    });
}
