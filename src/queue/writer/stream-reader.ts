/**
 * Reads the result stream as one consumer of the writers' group, and keeps
 * the group tidy. Each call of next() returns, in this order of preference:
 *
 * 1. entries other writers read and never acknowledged for `claimIdleMs`
 *    (they died, or hang): taken over with XAUTOCLAIM;
 * 2. this writer's own pending entries, at most every `retryPendingMs`: the
 *    ones it could not settle yet, retried after a pause rather than at once,
 *    while new entries flow past them;
 * 3. new entries (waiting up to a second for one).
 *
 * Every entry comes with its delivery count from Redis (XPENDING), which
 * survives writer restarts, so an entry that keeps failing is noticed however
 * many writers it has been through.
 *
 * A consumer whose pending list is empty and who has been idle for
 * `claimIdleMs` leaves the group (XGROUP DELCONSUMER). The check and the
 * deletion run in one script: a consumer that reads an entry in between is
 * kept, since deleting a consumer drops its pending entries for good.
 */
import type { Redis } from 'ioredis';
import { WRITER_GROUP } from '../keys.js';
import { parseAutoClaim, parseConsumers, parsePending, parseReadGroup, type StreamEntry } from './stream-replies.js';

export interface Delivery extends StreamEntry {
  /** Times Redis has delivered this entry to a writer, this delivery included. */
  deliveries: number;
}

export interface StreamReaderOptions {
  claimIdleMs: number;
  /** Entries per read. */
  count: number;
  /** Pause between retries of this writer's own unsettled entries. */
  retryPendingMs: number;
}

/** KEYS: stream. ARGV: group, consumer. Returns 1 when the consumer was removed, 0 when it holds entries. */
const REMOVE_IF_IDLE = `
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

export class ResultStreamReader {
  private lastClaim = 0;
  private lastPending = 0;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    readonly consumer: string,
    private readonly opts: StreamReaderOptions,
  ) {}

  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, WRITER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async next(): Promise<Delivery[]> {
    const now = Date.now();
    let entries: StreamEntry[] = [];
    if (now - this.lastClaim >= Math.min(this.opts.claimIdleMs, 5_000)) {
      this.lastClaim = now;
      entries = parseAutoClaim(
        await this.redis.call(
          'XAUTOCLAIM',
          this.stream,
          WRITER_GROUP,
          this.consumer,
          String(this.opts.claimIdleMs),
          '0-0',
          'COUNT',
          String(this.opts.count),
        ),
      );
      await this.removeIdleConsumers();
    }
    if (entries.length === 0 && now - this.lastPending >= this.opts.retryPendingMs) {
      this.lastPending = now;
      entries = await this.read('0');
    }
    if (entries.length === 0) entries = await this.read('>');
    return this.withDeliveries(entries);
  }

  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const args = ['GROUP', WRITER_GROUP, this.consumer, 'COUNT', String(this.opts.count)];
    // Block only for new entries; a short block keeps close() prompt.
    if (from === '>') args.push('BLOCK', '1000');
    return parseReadGroup(await this.redis.call('XREADGROUP', ...args, 'STREAMS', this.stream, from));
  }

  private async withDeliveries(entries: StreamEntry[]): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    // One XPENDING per entry, in one round trip: an id range could hold more of this consumer's entries than asked for.
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.call('XPENDING', this.stream, WRITER_GROUP, e.id, e.id, '1');
    const replies = (await pipeline.exec()) ?? [];
    return entries.map((e, i) => {
      const [err, reply] = replies[i] ?? [null, []];
      if (err) throw err;
      return { ...e, deliveries: parsePending(reply).get(e.id) ?? 1 };
    });
  }

  private async removeIdleConsumers(): Promise<void> {
    const consumers = parseConsumers(await this.redis.call('XINFO', 'CONSUMERS', this.stream, WRITER_GROUP));
    for (const c of consumers) {
      if (c.name === this.consumer || c.pending > 0 || c.idleMs < this.opts.claimIdleMs) continue;
      await this.redis.eval(REMOVE_IF_IDLE, 1, this.stream, WRITER_GROUP, c.name);
    }
  }
}
