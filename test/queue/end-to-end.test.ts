/**
 * A distributed campaign over a /22 of the simulated fleet: three worker
 * processes, one writer process, the embedded store. Every address probed
 * once, every responsive one stored once, outcomes as the fleet promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from './harness.js';
import { readStoredCampaign } from './store-check.js';

const RANGE_FIRST = 127 * 2 ** 24 + 16 * 2 ** 16;
const ips = (n: number) =>
  Array.from({ length: n }, (_, i) => `127.16.${Math.floor((RANGE_FIRST + i - RANGE_FIRST) / 256)}.${i % 256}`);

describe('distributed campaign end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(`e2e-${process.pid}`);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('scans a /22 with 3 workers and a writer; each target once; counts equal the fleet manifest', async () => {
    await h.createCampaign('e2e', '127.16.0.0/22', ['--chunk-size', '128', '--timeout', '4000']);
    const status0 = JSON.parse((await h.cli(['campaign', 'status', 'e2e', '--json'])).stdout) as {
      state: string;
      addressesTotal: number;
    };
    expect(status0).toMatchObject({ state: 'created', addressesTotal: 1024 });

    const writer = h.spawnWriter();
    const workers = [1, 2, 3].map(() => h.spawnWorker('e2e', ['--exit-when-done']));
    expect((await h.cli(['campaign', 'start', 'e2e'])).code).toBe(0);
    await waitFor(
      'campaign done',
      () => h.state('e2e'),
      (s) => s === 'done',
      60_000,
    );
    const codes = await Promise.all(workers.map((w) => w.stop()));
    // A worker still starting when the others finished the campaign may die of SIGTERM before its handler exists.
    for (const c of codes) expect([0, 'SIGTERM']).toContain(c);
    await waitFor(
      'writer backlog drained',
      () => h.client.xlen(`${h.prefix}:stripscan:results`),
      (n) => n === 0,
      30_000,
    );
    expect(await writer.stop()).toBe(0);

    const status = JSON.parse((await h.cli(['campaign', 'status', 'e2e', '--json'])).stdout) as {
      state: string;
      addressesDone: number;
      responsive: number;
      outcomes: Record<string, number>;
      writerBacklog: number;
    };
    expect(status.state).toBe('done');
    expect(status.addressesDone).toBe(1024);
    expect(status.writerBacklog).toBe(0);

    const expected: Record<string, number> = {};
    for (const ip of ips(1024)) {
      const o = h.fleet.expectedFor(ip, h.fleet.port).outcome ?? 'unknown';
      expected[o] = (expected[o] ?? 0) + 1;
    }
    expect(status.outcomes).toEqual(expected);

    const stored = await readStoredCampaign(h.dataDir, 'e2e');
    expect(stored.attempted).toBe(1024);
    expect(stored.rows).toBe(status.responsive);
    expect(stored.distinctIps).toBe(stored.rows);
    expect(stored.latestRows).toBe(stored.rows);
    const expectedStored = Object.fromEntries(Object.entries(expected).filter(([o]) => !o.startsWith('connect-')));
    expect(stored.outcomes).toEqual(expectedStored);
    // The writer mirrored the campaign's end from Redis: state and progress too.
    const { chunksTotal } = JSON.parse((await h.client.hget(`${h.prefix}:stripscan:campaign:e2e`, 'spec')) ?? '{}') as {
      chunksTotal: number;
    };
    expect(stored.campaignRows).toEqual([
      {
        contact: 'https://scan.example.org/about',
        ehlo_name: 'scan.example.org',
        ended: true,
        state: 'done',
        chunks: `${chunksTotal}/${chunksTotal}`,
      },
    ]);
  });
});
