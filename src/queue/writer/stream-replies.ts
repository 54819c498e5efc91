/**
 * The Redis replies the writer reads, parsed against the shape each command
 * has: a reply of any other shape is an error, not something to guess around.
 *
 * ioredis 6 speaks RESP3 (HELLO 3) and hands a map reply over as a flat
 * [key, value, …] list; arrays are the same in both protocols. Of the
 * commands used here only XREADGROUP answers with a map ({stream: entries});
 * a Redis that refuses HELLO 3 leaves the client on RESP2, where the same
 * reply is [[stream, entries]]. Both are named below.
 */
import { z } from 'zod';

export interface StreamEntry {
  id: string;
  fields: Map<string, string>;
}

/** [id, [field, value, …]]; an entry deleted while pending comes back as [id, null]. */
const RawEntry = z.tuple([z.string(), z.array(z.string()).nullable()]);
const RawEntries = z.array(RawEntry);

/** XREADGROUP: null (nothing new), or a map stream → entries: RESP3 flattened, or RESP2's list of pairs. */
const ReadGroupReply = z.union([
  z.null(),
  z.tuple([z.string(), RawEntries]),
  z.array(z.tuple([z.string(), RawEntries])),
]);

/** XAUTOCLAIM: [next cursor, entries] and, from Redis 7, the ids of deleted entries it dropped. */
const AutoClaimReply = z.tuple([z.string(), RawEntries]).rest(z.unknown());

/** XPENDING with a range: [[id, consumer, idle ms, deliveries], …]. */
const PendingReply = z.array(z.tuple([z.string(), z.string(), z.number(), z.number()]));

/** XINFO CONSUMERS: one flat [name, value, …] list per consumer. */
const ConsumersReply = z.array(z.array(z.union([z.string(), z.number()])));

function entriesOf(raw: z.infer<typeof RawEntries>): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const [id, list] of raw) {
    if (list === null) continue;
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < list.length; i += 2) fields.set(list[i] as string, list[i + 1] as string);
    out.push({ id, fields });
  }
  return out;
}

/** The writer reads one stream at a time: one map entry at most. */
export function parseReadGroup(reply: unknown): StreamEntry[] {
  const parsed = ReadGroupReply.parse(reply);
  if (parsed === null) return [];
  if (typeof parsed[0] === 'string') return entriesOf((parsed as [string, z.infer<typeof RawEntries>])[1]);
  return (parsed as [string, z.infer<typeof RawEntries>][]).flatMap(([, entries]) => entriesOf(entries));
}

/** XRANGE: the entries, in id order. */
export function parseRange(reply: unknown): StreamEntry[] {
  return entriesOf(RawEntries.parse(reply));
}

/** The entries XAUTOCLAIM moved to us, and the ids it found deleted (acknowledged by it already). */
export function parseAutoClaim(reply: unknown): StreamEntry[] {
  return entriesOf(AutoClaimReply.parse(reply)[1]);
}

/** Delivery count per pending id. */
export function parsePending(reply: unknown): Map<string, number> {
  return new Map(PendingReply.parse(reply).map(([id, , , deliveries]) => [id, deliveries]));
}

export interface ConsumerInfo {
  name: string;
  pending: number;
  idleMs: number;
}

export function parseConsumers(reply: unknown): ConsumerInfo[] {
  return ConsumersReply.parse(reply).map((flat) => {
    const info = new Map<string, string | number>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1] as string | number);
    return { name: String(info.get('name')), pending: Number(info.get('pending')), idleMs: Number(info.get('idle')) };
  });
}
