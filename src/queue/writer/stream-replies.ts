/**
 * The Redis replies the writer reads, parsed against the one shape each
 * command has (RESP2, as ioredis returns it): a reply of any other shape is
 * an error, not something to guess around.
 */
import { z } from 'zod';

export interface StreamEntry {
  id: string;
  fields: Map<string, string>;
}

/** [id, [field, value, …]]; an entry deleted while pending comes back as [id, null]. */
const RawEntry = z.tuple([z.string(), z.array(z.string()).nullable()]);
const RawEntries = z.array(RawEntry);

/** XREADGROUP: null (nothing new), or [[stream, entries]]. */
const ReadGroupReply = z.array(z.tuple([z.string(), RawEntries])).nullable();

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

export function parseReadGroup(reply: unknown): StreamEntry[] {
  return (ReadGroupReply.parse(reply) ?? []).flatMap(([, entries]) => entriesOf(entries));
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
