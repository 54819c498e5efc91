/**
 * Redis key names. Everything a campaign owns sits under the BullMQ prefix,
 * so that one prefix isolates a deployment (or a test file) completely.
 */
export interface CampaignKeys {
  /** Hash: spec (JSON), state, next chunk to feed, done chunks, counters. */
  readonly campaign: string;
  /** Bitmap: bit i set once chunk i's results are committed. */
  readonly doneChunks: string;
  /** Hash: chunk index → JSON {job, error, attempts, failedAt} of chunks that failed for good. */
  readonly failedChunks: string;
  /** Hash: the shared token bucket of the campaign's rate limit. */
  readonly bucket: string;
  /** Sorted set: worker id → last heartbeat (ms). */
  readonly workers: string;
  /** BullMQ queue name (BullMQ adds the prefix itself). */
  readonly queueName: string;
}

export function campaignKeys(prefix: string, campaign: string): CampaignKeys {
  const base = `${prefix}:stripscan:campaign:${campaign}`;
  return {
    campaign: base,
    doneChunks: `${base}:done`,
    failedChunks: `${base}:failed`,
    bucket: `${base}:bucket`,
    workers: `${base}:workers`,
    queueName: `campaign-${campaign}`,
  };
}

/**
 * One lane of a campaign: the chunks one vantage point runs. A campaign
 * created without --vantages has one lane, `null`, whose keys are the
 * campaign's own (as before vantages existed: nothing moves for it). A
 * campaign with --vantages has one lane per label, each with its own queue
 * (BullMQ cannot route a job to a chosen worker), done bitmap, failed list,
 * worker set and progress hash; every chunk is run once per lane.
 */
export type Lane = string | null;

export interface LaneKeys {
  /** Hash: nextChunk, doneChunks and the lane's counters (the campaign hash itself for the null lane). */
  readonly progress: string;
  readonly doneChunks: string;
  readonly failedChunks: string;
  readonly workers: string;
  readonly queueName: string;
}

export function laneKeys(prefix: string, campaign: string, lane: Lane): LaneKeys {
  const keys = campaignKeys(prefix, campaign);
  if (lane === null) {
    return {
      progress: keys.campaign,
      doneChunks: keys.doneChunks,
      failedChunks: keys.failedChunks,
      workers: keys.workers,
      queueName: keys.queueName,
    };
  }
  // '@' cannot occur in a campaign name or a vantage label, so no two lanes share a name.
  const base = `${keys.campaign}:vantage:${lane}`;
  return {
    progress: base,
    doneChunks: `${base}:done`,
    failedChunks: `${base}:failed`,
    workers: `${base}:workers`,
    queueName: `${keys.queueName}@${lane}`,
  };
}

/** Set of campaign names. */
export function campaignListKey(prefix: string): string {
  return `${prefix}:stripscan:campaigns`;
}

/** The stream through which workers hand results to writers (all campaigns). */
export function resultStreamKey(prefix: string): string {
  return `${prefix}:stripscan:results`;
}

export const WRITER_GROUP = 'writers';
export const DEFAULT_PREFIX = 'stripscan';

/** The stream of result entries the writer set aside (invalid, or refused by ClickHouse too often). */
export function deadLetterStreamKey(prefix: string): string {
  return `${prefix}:stripscan:dead-letters`;
}
