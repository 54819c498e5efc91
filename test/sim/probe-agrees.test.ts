import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../src/probe/driver.js';
import { DEFAULT_LIMITS } from '../../src/probe/smtp/events.js';
import { createProbeTlsContext } from '../../src/probe/tls-context.js';
import { PERSONAS, startFleet, type Fleet } from '../../src/sim/index.js';

// The real probe against the real fleet: the manifest is only worth something if the scanner agrees with it.
let fleet: Fleet;
let dir: string;
let tlsContext: ReturnType<typeof createProbeTlsContext>;
beforeAll(async () => {
  fleet = await startFleet({ range: '127.16.0.0/26', implicitTlsPort: 0, limits: { idleMs: 3000 } });
  dir = mkdtempSync(join(tmpdir(), 'stripscan-sim-ca-'));
  writeFileSync(join(dir, 'ca.pem'), fleet.caPem);
  tlsContext = createProbeTlsContext({ caFile: join(dir, 'ca.pem') });
});
afterAll(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

const cases = PERSONAS.flatMap((p, i) =>
  [true, false].flatMap((force) =>
    [false, true].map((implicit) => ({ name: p.name, ip: `127.16.0.${i}`, force, implicit })),
  ),
);

// Concurrent: the silent personas each wait out the probe's deadline.
describe.concurrent('the probe records what the manifest expects', () => {
  it.each(cases)('$name (force $force, implicit $implicit)', async ({ name, ip, force, implicit }) => {
    expect(fleet.personaOf(ip).name).toBe(name);
    const port = implicit ? (fleet.implicitTlsPort as number) : fleet.port;
    const record = await probeTarget(
      { ip, port },
      {
        ehloName: 'scanner.stripscan.test',
        forceStartTls: force,
        implicitTls: implicit,
        limits: DEFAULT_LIMITS,
        timeoutMs: 2000,
        connectTimeoutMs: 1000,
        tlsContext,
      },
    );
    expect(record).toMatchObject(fleet.expectedFor(ip, port, { forceStartTls: force }));
  });
});
