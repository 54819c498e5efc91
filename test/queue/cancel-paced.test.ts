/**
 * Cancel stops new connections within a second, counted where it matters: at
 * the simulated fleet. The campaign is slow on purpose (20 connections/s
 * shared by two workers running two chunks of 200 probes each), so hundreds
 * of probes sit waiting for a rate token when the cancel comes; none of them
 * may connect afterwards. On the way, `campaign status` shows an ETA only
 * while the campaign runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from './harness.js';

const RATE = 20;

describe('cancel during a slow paced campaign', () => {
  let h: Harness;
  const connections = () => [...h.fleet.stats.values()].reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    h = await startHarness(`cancel-${process.pid}`);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('no connection reaches the fleet more than a second after cancel, though many probes were waiting for tokens', async () => {
    await h.createCampaign('slow', '127.16.8.0/21', [
      '--rate',
      String(RATE),
      '--concurrency',
      '200',
      '--chunk-size',
      '512',
      '--timeout',
      '4000',
    ]);
    const workers = [1, 2].map(() => h.spawnWorker('slow', ['--exit-when-done', '--jobs', '2']));
    const base = connections();
    expect((await h.cli(['campaign', 'start', 'slow'])).code).toBe(0);
    await waitFor(
      'the paced campaign under way',
      async () => connections() - base,
      (n) => n >= 2 * RATE,
      30_000,
    );
    // An ETA only while running: not while paused (nor after the cancel, below).
    const etaOf = async () => {
      const text = (await h.cli(['campaign', 'status', 'slow'])).stdout;
      const json = JSON.parse((await h.cli(['campaign', 'status', 'slow', '--json'])).stdout) as {
        etaSeconds: number | null;
      };
      return { shown: /ETA/.test(text), seconds: json.etaSeconds };
    };
    expect((await etaOf()).shown).toBe(true);
    expect((await h.cli(['campaign', 'pause', 'slow'])).code).toBe(0);
    expect(await etaOf()).toEqual({ shown: false, seconds: null });
    expect((await h.cli(['campaign', 'resume', 'slow'])).code).toBe(0);

    // The cancel takes effect when the CLI sets the state: watch for that moment
    // from here, then watch the fleet for 4 s after it.
    const cancelling = h.cli(['campaign', 'cancel', 'slow']);
    let atCancel = connections();
    while ((await h.state('slow')) !== 'cancelled') atCancel = connections();
    const cancelledAt = Date.now();
    let last = atCancel;
    let lastArrivalMs = 0;
    while (Date.now() - cancelledAt < 4_000) {
      await new Promise((r) => setTimeout(r, 20));
      const now = connections();
      if (now !== last) {
        last = now;
        lastArrivalMs = Date.now() - cancelledAt;
      }
    }
    expect((await cancelling).code).toBe(0);
    const afterCancel = last - atCancel;
    console.log(
      `at --rate ${RATE}: ${atCancel - base} connections before cancel, ${afterCancel} after it; the last ${lastArrivalMs} ms after it`,
    );
    expect(lastArrivalMs).toBeLessThanOrEqual(1_000);
    // Without the abort, the waiting probes would keep arriving at the rate for the whole 4 s.
    expect(afterCancel).toBeLessThan(RATE);
    for (const code of await Promise.all(workers.map((w) => w.exit()))) expect(code).toBe(0);
    expect(await h.state('slow')).toBe('cancelled');
    expect(await etaOf()).toEqual({ shown: false, seconds: null });
  }, 120_000);
});
