/**
 * Campaign lifecycle: start, pause, resume, cancel. State lives in the
 * campaign hash (the feeder and workers read it) and in BullMQ's pause flag
 * (which stops workers taking new chunks; chunks already running finish).
 * Cancel also stops running chunks: workers see the state within a heartbeat
 * (1 s) and abort them, probes waiting for a rate token included.
 * Retrying failed chunks is campaign-retry.ts.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { CampaignState } from './campaign-spec.js';
import { readCampaign, setCampaignState } from './campaign-store.js';
import { feedCampaign } from './feeder.js';
import { campaignKeys, resultStreamKey } from './keys.js';

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

const ALLOWED: Record<CampaignAction, CampaignState[]> = {
  start: ['created'],
  pause: ['running'],
  resume: ['paused'],
  cancel: ['created', 'running', 'paused'],
};

export function campaignQueue(redis: Redis, prefix: string, name: string): Queue {
  const queue = new Queue(campaignKeys(prefix, name).queueName, { connection: redis, prefix });
  queue.on('error', () => undefined);
  return queue;
}

export async function controlCampaign(
  redis: Redis,
  prefix: string,
  name: string,
  action: CampaignAction,
): Promise<CampaignState> {
  const record = await readCampaign(redis, prefix, name);
  if (!ALLOWED[action].includes(record.state)) {
    throw new UsageError(
      `campaign ${name} is ${record.state}: cannot ${action} it (${action} needs ${ALLOWED[action].join(' or ')})`,
    );
  }
  const queue = campaignQueue(redis, prefix, name);
  try {
    switch (action) {
      case 'start':
        await setCampaignState(redis, prefix, name, 'running', { startedAt: new Date().toISOString() });
        await queue.resume();
        await feedCampaign(redis, queue, prefix, name);
        return 'running';
      case 'pause':
        await queue.pause();
        await setCampaignState(redis, prefix, name, 'paused');
        return 'paused';
      case 'resume':
        // Queue first: cut short after it, the campaign is still paused and resume can be repeated.
        await queue.resume();
        await setCampaignState(redis, prefix, name, 'running');
        await feedCampaign(redis, queue, prefix, name);
        return 'running';
      case 'cancel': {
        const endedAt = new Date().toISOString();
        await redis
          .multi()
          .hset(campaignKeys(prefix, name).campaign, 'state', 'cancelled', 'endedAt', endedAt)
          // The writer records the end in the store, as for a campaign that finished.
          .xadd(
            resultStreamKey(prefix),
            '*',
            'kind',
            'campaign-end',
            'campaign',
            name,
            'state',
            'cancelled',
            'endedAt',
            endedAt,
          )
          .exec();
        await queue.pause();
        // Waiting chunks go; running ones are aborted by their workers within a heartbeat.
        await queue.drain(true);
        return 'cancelled';
      }
    }
  } finally {
    await queue.close();
  }
}
