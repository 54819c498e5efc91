/**
 * The dead-letter stream: result entries the writer could not store and set
 * aside so that the entries behind them flow. Each keeps the original
 * entry's fields and adds, prefixed `dead_` so they cannot collide:
 * `dead_reason`, `dead_id` (its id in the result stream), `dead_deliveries`
 * and `dead_at`. Moving an entry here, like acknowledging one, is one
 * MULTI: it is in exactly one of the two streams.
 *
 * `stripscan store dead-letters` lists them; `--replay` puts them back on
 * the result stream (as new entries, with their original fields), for a
 * writer that now knows them or a table that now takes them.
 */
import type { Redis } from 'ioredis';
import { deadLetterStreamKey, resultStreamKey, WRITER_GROUP } from '../keys.js';
import type { Delivery } from './stream-reader.js';
import { parseRange } from './stream-replies.js';

const DEAD_FIELD = /^dead_/;

export interface DeadLetter {
  id: string;
  reason: string;
  /** The entry's id in the result stream when it was set aside. */
  sourceId: string;
  deliveries: number;
  at: string;
  /** The original entry's fields. */
  fields: Map<string, string>;
}

export async function acknowledge(redis: Redis, prefix: string, id: string): Promise<void> {
  const stream = resultStreamKey(prefix);
  // Trimmed as soon as it is acknowledged: the stream holds only work still to do.
  await redis.multi().xack(stream, WRITER_GROUP, id).xdel(stream, id).exec();
}

export async function moveToDeadLetters(redis: Redis, prefix: string, entry: Delivery, reason: string): Promise<void> {
  const stream = resultStreamKey(prefix);
  const fields = [...entry.fields].flat();
  await redis
    .multi()
    .xadd(
      deadLetterStreamKey(prefix),
      '*',
      ...fields,
      'dead_reason',
      reason,
      'dead_id',
      entry.id,
      'dead_deliveries',
      String(entry.deliveries),
      'dead_at',
      new Date().toISOString(),
    )
    .xack(stream, WRITER_GROUP, entry.id)
    .xdel(stream, entry.id)
    .exec();
}

export async function listDeadLetters(redis: Redis, prefix: string, limit: number): Promise<DeadLetter[]> {
  const raw = await redis.call('XRANGE', deadLetterStreamKey(prefix), '-', '+', 'COUNT', String(limit));
  return parseRange(raw).map(({ id, fields }) => {
    const original = new Map([...fields].filter(([k]) => !DEAD_FIELD.test(k)));
    return {
      id,
      reason: fields.get('dead_reason') ?? '',
      sourceId: fields.get('dead_id') ?? '',
      deliveries: Number(fields.get('dead_deliveries') ?? 0),
      at: fields.get('dead_at') ?? '',
      fields: original,
    };
  });
}

/**
 * KEYS: dead letters, result stream. ARGV: the dead letter's id, then its
 * original fields. The entry goes back only if it was still a dead letter:
 * two replays at once do not queue it twice.
 */
const REQUEUE = `
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
return 1
`;

/** Puts dead letters back on the result stream; returns how many moved. */
export async function requeueDeadLetters(redis: Redis, prefix: string, letters: DeadLetter[]): Promise<number> {
  let moved = 0;
  for (const letter of letters) {
    const keys = [deadLetterStreamKey(prefix), resultStreamKey(prefix)];
    moved += Number(await redis.eval(REQUEUE, 2, ...keys, letter.id, ...[...letter.fields].flat()));
  }
  return moved;
}
