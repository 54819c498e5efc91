/**
 * Campaign lifecycle: start, pause, resume, cancel. State lives in the
 * campaign hash (the feeder and workers read it) and in BullMQ's pause flag
 * (which stops workers taking new chunks; chunks already running finish).
 * Cancel also stops running chunks: workers see the state within a heartbeat
 * (1 s) and abort them, probes waiting for a rate token included.
 * Retrying failed chunks is campaign-retry.ts. A multi-vantage campaign has
 * a queue per vantage (keys.ts, lanes): every action acts on all of them.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { lanesOf, type CampaignState } from './campaign-spec.js';
import { readCampaign, setCampaignState } from './campaign-store.js';
import { feedCampaign } from './feeder.js';
import { campaignKeys, laneKeys, resultStreamKey, type Lane } from './keys.js';

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

const ALLOWED: Record<CampaignAction, CampaignState[]> = {
  start: ['created'],
  pause: ['running'],
  resume: ['paused'],
  cancel: ['created', 'running', 'paused'],
};

export function campaignQueue(redis: Redis, prefix: string, name: string, lane: Lane = null): Queue {
  const queue = new Queue(laneKeys(prefix, name, lane).queueName, { connection: redis, prefix });
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
  const lanes = lanesOf(record.spec);
  const queues = lanes.map((lane) => ({ lane, queue: campaignQueue(redis, prefix, name, lane) }));
  const each = async (act: (queue: Queue, lane: Lane) => Promise<unknown>): Promise<void> => {
    for (const { lane, queue } of queues) await act(queue, lane);
  };
  try {
    switch (action) {
      case 'start':
        await setCampaignState(redis, prefix, name, 'running', { startedAt: new Date().toISOString() });
        await each((queue) => queue.resume());
        await each((queue, lane) => feedCampaign(redis, queue, prefix, name, lane));
        return 'running';
      case 'pause':
        await each((queue) => queue.pause());
        await setCampaignState(redis, prefix, name, 'paused');
        return 'paused';
      case 'resume':
        // Queues first: cut short after them, the campaign is still paused and resume can be repeated.
        await each((queue) => queue.resume());
        await setCampaignState(redis, prefix, name, 'running');
        await each((queue, lane) => feedCampaign(redis, queue, prefix, name, lane));
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
        // Waiting chunks go; running ones are aborted by their workers within a heartbeat.
        await each(async (queue) => {
          await queue.pause();
          await queue.drain(true);
        });
        return 'cancelled';
      }
    }
  } finally {
    await Promise.all(queues.map(({ queue }) => queue.close()));
  }
}
