import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONAS, startFleet, type Fleet } from '../../src/sim/index.js';
import { walk, WIRE_FIELDS } from './walk.js';

// A /26 holds 64 addresses: with the even mix every persona answers somewhere in it.
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ range: '127.16.0.0/26', implicitTlsPort: 0, limits: { idleMs: 1000 } });
});
afterAll(async () => {
  await fleet.close();
});

function ipOf(name: string): string {
  for (let i = 0; i < 64; i++) {
    const ip = `127.16.0.${i}`;
    if (fleet.personaOf(ip).name === name) return ip;
  }
  throw new Error(`no address for persona ${name}`);
}

function wireExpectations(ip: string, port: number): Record<string, unknown> {
  const expected = fleet.expectedFor(ip, port) as Record<string, unknown>;
  return Object.fromEntries(WIRE_FIELDS.filter((f) => expected[f] !== undefined).map((f) => [f, expected[f]]));
}

describe('every persona keeps its manifest promise on the wire', () => {
  it.each(PERSONAS.map((p) => p.name))('%s over STARTTLS', async (name) => {
    const ip = ipOf(name);
    const facts = await walk(ip, fleet.port, { implicit: false, ca: fleet.caPem });
    expect(facts).toMatchObject(wireExpectations(ip, fleet.port));
  });

  it.each(PERSONAS.map((p) => p.name))('%s over implicit TLS', async (name) => {
    const ip = ipOf(name);
    const port = fleet.implicitTlsPort as number;
    const facts = await walk(ip, port, { implicit: true, ca: fleet.caPem });
    expect(facts).toMatchObject(wireExpectations(ip, port));
  });
});
