/**
 * One scan process of a scan spread over several (scan-parts.ts is the other
 * side). It rebuilds the plan from the target strings it is given, as a
 * campaign worker does, then runs the ordinary chunk runner over the chunks
 * its parent hands out one by one, and sends the records back in batches.
 * A process has its own event loop, TLS context and open-files limit: that is
 * what lets a scan use every core and hold more probes than one process may.
 */
import type { ScanRecord } from '../record.js';
import type { DriverOptions } from '../probe/driver.js';
import { SourceAddresses } from '../probe/source-addresses.js';
import { createProbeTlsContext } from '../probe/tls-context.js';
import { addressesOf, buildNamedTargetSet, planScan, type ChunkSpec, type NamedSpecs } from '../targets/index.js';
import { runChunk } from './chunk-runner.js';
import type { ChunkStats } from './chunk-stats.js';
import { TokenBucket, UNPACED } from './pacer.js';

/** What a scan process needs to rebuild the parent's plan: the target strings as given, not the set. */
export interface PlanRecipe {
  specs: string[];
  blocklists: NamedSpecs[];
  allowlist: NamedSpecs | undefined;
  allowReserved: boolean;
  seed: string;
  shards: number;
  shard: number;
}

/** The driver's plain options: a TLS context and a source-address rotation are rebuilt in each process. */
export type PartDriverOptions = Omit<DriverOptions, 'tlsContext' | 'stalls' | 'sourceAddresses'>;

export interface PartSettings {
  recipe: PlanRecipe;
  port: number;
  /** This process's share of the scan's concurrency and rate. */
  concurrency: number;
  rate: number;
  /** The driver's options but its TLS context, which each process builds again from `caFile`. */
  driver: PartDriverOptions;
  caFile: string | undefined;
  /** `--source-address` values, checked by the parent; each process rotates through them on its own. */
  sourceAddresses: string[] | undefined;
  labels: { campaign: string; job: string; vantage: string };
}

export type PartRequest =
  | { type: 'start'; settings: PartSettings }
  /** The next chunk, or null: there are no more. */
  | { type: 'chunk'; chunk: ChunkSpec | null }
  /** The parent has taken a batch of records: room for another. */
  | { type: 'ack' }
  /** Stop taking addresses; probes in flight finish. */
  | { type: 'stop' };

export type PartReply =
  | { type: 'want-chunk' }
  | { type: 'records'; records: ScanRecord[] }
  | { type: 'done'; stats: ChunkStats }
  | { type: 'failed'; message: string };

/** Records per message, and batches the parent may owe an ack for before this process waits. */
const BATCH_RECORDS = 64;
const BATCH_MS = 20;
const UNACKED_BATCHES = 8;

export function runPart(): void {
  const send = (reply: PartReply): void => {
    process.send?.(reply);
  };
  let chunkWaiter: ((chunk: ChunkSpec | null) => void) | null = null;
  let ackWaiter: (() => void) | null = null;
  let unacked = 0;
  const abort = new AbortController();

  process.on('message', (message: PartRequest) => {
    switch (message.type) {
      case 'start':
        void scan(message.settings).catch((err: unknown) => {
          process.exitCode = 1;
          const failed: PartReply = { type: 'failed', message: err instanceof Error ? err.message : String(err) };
          process.send?.(failed, undefined, {}, () => process.disconnect?.());
        });
        return;
      case 'chunk': {
        const wake = chunkWaiter;
        chunkWaiter = null;
        wake?.(message.chunk);
        return;
      }
      case 'ack': {
        unacked--;
        const wake = ackWaiter;
        ackWaiter = null;
        wake?.();
        return;
      }
      case 'stop':
        // A chunk request in flight would otherwise keep the address stream waiting.
        stopSelf();
        return;
    }
  });
  // The parent is gone: nobody would take the records.
  process.on('disconnect', () => abort.abort());
  // Ctrl-C reaches every process of the terminal's group: here it means what
  // it means to the parent, stop taking addresses and finish the probes held.
  const stopSelf = (): void => {
    abort.abort();
    chunkWaiter?.(null);
    chunkWaiter = null;
  };
  process.on('SIGINT', stopSelf);
  process.on('SIGTERM', stopSelf);

  const nextChunk = (): Promise<ChunkSpec | null> =>
    new Promise((resolve) => {
      if (abort.signal.aborted) return resolve(null);
      chunkWaiter = resolve;
      send({ type: 'want-chunk' });
    });

  async function scan(settings: PartSettings): Promise<void> {
    const { recipe } = settings;
    const { set, names } = buildNamedTargetSet({
      specs: recipe.specs,
      allowReserved: recipe.allowReserved,
      blocklists: recipe.blocklists,
      ...(recipe.allowlist === undefined ? {} : { allowlist: recipe.allowlist }),
    });
    const plan = planScan(set, { seed: recipe.seed, shards: recipe.shards, shard: recipe.shard });
    async function* addresses(): AsyncGenerator<string> {
      for (let chunk = await nextChunk(); chunk !== null; chunk = await nextChunk()) {
        yield* addressesOf(plan, chunk);
      }
    }
    let batch: ScanRecord[] = [];
    let timer: NodeJS.Timeout | null = null;
    const sendBatch = async (): Promise<void> => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (batch.length === 0) return;
      // Backpressure: a parent whose store or pipe is slow holds the probes here, not in memory.
      while (unacked >= UNACKED_BATCHES) await new Promise<void>((resolve) => (ackWaiter = resolve));
      unacked++;
      const records = batch;
      batch = [];
      send({ type: 'records', records });
    };
    // One send at a time, in order: a timer's flush and a full batch's never interleave.
    let sending: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => (sending = sending.then(sendBatch));
    const stats = await runChunk({
      addresses: addresses(),
      names,
      port: settings.port,
      concurrency: settings.concurrency,
      driver: {
        ...settings.driver,
        tlsContext: createProbeTlsContext(settings.caFile === undefined ? {} : { caFile: settings.caFile }),
        ...(settings.sourceAddresses === undefined
          ? {}
          : { sourceAddresses: new SourceAddresses(settings.sourceAddresses) }),
      },
      labels: settings.labels,
      pacer: settings.rate > 0 ? new TokenBucket(settings.rate) : UNPACED,
      signal: abort.signal,
      onRecord: async (record) => {
        batch.push(record);
        if (batch.length >= BATCH_RECORDS) await flush();
        else timer ??= setTimeout(() => void flush(), BATCH_MS);
      },
    });
    await flush();
    // Disconnect only once the last message is written: closing the channel
    // with writes still queued would drop them, the statistics among them.
    process.send?.({ type: 'done', stats } satisfies PartReply, undefined, {}, () => process.disconnect?.());
  }
}
