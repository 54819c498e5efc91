/**
 * The scanner does not create its own timeouts: the loop monitor measures our
 * own stalls, step deadlines give them back, and the overload guard holds new
 * probes while the loop lags. The stalls here are made the blunt way — the
 * test blocks its own event loop — which is what a starved CPU looks like from
 * inside the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { StepDeadline } from '../../src/probe/step-deadline.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { LoopMonitor } from '../../src/scan/loop-monitor.js';
import { OverloadGuard } from '../../src/scan/overload-guard.js';
import { startScriptedServer } from '../helpers/scripted-smtp-server.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-overload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a starved or overloaded process, as seen from inside
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('loop monitor', () => {
  it('counts a stall of the event loop, and nothing on an idle loop', async () => {
    const monitor = new LoopMonitor();
    monitor.start();
    try {
      await sleep(100);
      const before = monitor.stalledMs();
      await sleep(200);
      expect(monitor.stalledMs() - before).toBeLessThan(60);
      blockLoop(300);
      expect(monitor.lagMs()).toBeGreaterThan(250);
      await sleep(50);
      expect(monitor.stalledMs() - before).toBeGreaterThan(250);
    } finally {
      monitor.stop();
    }
  });
});

describe('overload guard', () => {
  it('lets probes start at once on a healthy loop', async () => {
    const monitor = new LoopMonitor();
    monitor.start();
    const guard = new OverloadGuard(monitor);
    try {
      await sleep(60);
      let started = false;
      void guard.ready().then(() => (started = true));
      await Promise.resolve();
      expect(started).toBe(true);
      expect(guard.heldMs).toBe(0);
    } finally {
      guard.close();
      monitor.stop();
    }
  });

  it('holds new probes while the loop lags, lets them go when it recovers, and says for how long', async () => {
    const monitor = new LoopMonitor();
    monitor.start();
    const guard = new OverloadGuard(monitor, { holdAboveMs: 100, resumeBelowMs: 25 });
    try {
      await sleep(60);
      blockLoop(400);
      let started = false;
      const ready = guard.ready().then(() => (started = true));
      await Promise.resolve();
      expect(started).toBe(false);
      await ready;
      expect(guard.heldMs).toBeGreaterThan(0);
    } finally {
      guard.close();
      monitor.stop();
    }
  });
});

describe('step deadlines measure the server, not our queue', () => {
  it('gives a step back the time our loop was stalled', async () => {
    const monitor = new LoopMonitor();
    monitor.start();
    try {
      await sleep(60);
      let expiredAt = 0;
      const started = performance.now();
      const deadline = new StepDeadline(300, monitor, () => (expiredAt = performance.now()));
      deadline.start();
      // Blocked for most of the step: without compensation it would expire about 50 ms after the block.
      blockLoop(250);
      await sleep(150);
      expect(expiredAt).toBe(0);
      await sleep(400);
      expect(expiredAt).toBeGreaterThan(0);
      // It still expires: at most its own length is given back.
      expect(expiredAt - started).toBeLessThan(1300);
    } finally {
      monitor.stop();
    }
  });

  it('records the reply a prompt server sent while our loop was blocked, not a timeout', async () => {
    const server = await startScriptedServer({
      banner: '220 mx.example.test ESMTP\r\n',
      replies: { EHLO: '250-mx.example.test\r\n250 8BITMIME\r\n', STARTTLS: '502 5.5.1 command not implemented\r\n' },
    });
    const monitor = new LoopMonitor();
    monitor.start();
    try {
      const probe = probeTarget(
        { ip: '127.0.0.1', port: server.port },
        {
          ehloName: 'scanner.stripscan.test',
          forceStartTls: true,
          implicitTls: false,
          limits: DEFAULT_LIMITS,
          timeoutMs: 300,
          connectTimeoutMs: 2000,
          tlsContext: createProbeTlsContext(),
          stalls: monitor,
        },
      );
      // Let the probe connect and send EHLO, then starve it for longer than the deadline: the server answers
      // within a millisecond, so whatever the wall clock says, the record must hold its answer.
      await sleep(50);
      blockLoop(800);
      const record = await probe;
      expect(record).toMatchObject({ outcome: 'no-starttls', error_stage: null, ehlo_code: 250, starttls_code: 502 });
    } finally {
      monitor.stop();
      await server.close();
    }
  });
});
