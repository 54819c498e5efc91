/**
 * What becomes of a stream entry once the writer has tried it: the decision
 * alone, no Redis and no store, so that the rules can be read in one place.
 *
 * - stored (in ClickHouse, or in a spool file this writer replays): acknowledge;
 * - invalid (not an entry this writer can store): dead letters at once, since
 *   delivering it again cannot change it;
 * - refused by ClickHouse: keep it pending and try again later, since some
 *   refusals pass (too many parts, a limit); after `maxDeliveries`, dead letters;
 * - not stored at all (the store is away and the spool failed too): keep it
 *   pending, whatever the count; an outage is not the entry's fault.
 */
export type EntryOutcome =
  | { kind: 'stored' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'not-stored'; reason: string };

export type Settlement = { action: 'acknowledge' } | { action: 'dead-letter'; reason: string } | { action: 'keep' };

export function settle(outcome: EntryOutcome, deliveries: number, maxDeliveries: number): Settlement {
  switch (outcome.kind) {
    case 'stored':
      return { action: 'acknowledge' };
    case 'invalid':
      return { action: 'dead-letter', reason: outcome.reason };
    case 'refused':
      return deliveries >= maxDeliveries
        ? { action: 'dead-letter', reason: `refused ${deliveries} times: ${outcome.reason}` }
        : { action: 'keep' };
    case 'not-stored':
      return { action: 'keep' };
  }
}
