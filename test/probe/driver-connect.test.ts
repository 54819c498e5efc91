/** Connect-stage outcomes, produced with loopback fixtures (a closed port, a listener that never accepts). */
import { describe, expect, it } from 'vitest';
import { probeTarget, type DriverOptions } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { closedPort } from '../helpers/free-port.js';

const tlsContext = createProbeTlsContext();
const options = (overrides: Partial<DriverOptions> = {}): DriverOptions => ({
  ehloName: 'scanner.stripscan.test',
  forceStartTls: true,
  implicitTls: false,
  limits: DEFAULT_LIMITS,
  timeoutMs: 3000,
  connectTimeoutMs: 400,
  tlsContext,
  ...overrides,
});

describe('connect stage', () => {
  it('records connect-refused for a closed port', async () => {
    const port = await closedPort();
    const record = await probeTarget({ ip: '127.0.0.1', port }, options());
    expect(record).toMatchObject({ outcome: 'connect-refused', error_stage: 'connect', error: 'ECONNREFUSED' });
    expect(record.banner).toBeNull();
  });

  it('records connect-refused over IPv6 loopback too', async () => {
    const port = await closedPort();
    const record = await probeTarget({ ip: '::1', port }, options());
    expect(record.outcome).toBe('connect-refused');
    expect(record.ip).toBe('::1');
  });

  it('records connect-timeout when SYNs go unanswered, within the connect timeout', async () => {
    const hole = await startBlackhole();
    try {
      const started = Date.now();
      const record = await probeTarget({ ip: '127.0.0.1', port: hole.port }, options({ connectTimeoutMs: 300 }));
      expect(record).toMatchObject({ outcome: 'connect-timeout', error_stage: 'connect' });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(record.duration_ms).toBeGreaterThanOrEqual(290);
    } finally {
      await hole.close();
    }
  });
});
