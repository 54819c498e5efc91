/**
 * The README's first command, `npm run demo` (= `stripscan demo`), through
 * the real binary: it must leave a campaign in the embedded store that
 * `stripscan query --saved …` reads, with the counts the fleet predicts.
 * Only --data-dir differs from the README, to keep the test out of the
 * working tree; range, mix and seed are the demo's defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFleet } from '../../src/sim/index.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stripscan demo', () => {
  it('scans the fleet into the embedded store; the saved queries read what the manifest predicts', async () => {
    const dataDir = join(dir, 'data');
    const demo = await runCli(['demo', '--data-dir', dataDir], { timeoutMs: 120_000 });
    expect(demo.stderr).not.toMatch(/spool/i);
    expect(demo.code).toBe(0);
    const campaign = /--param campaign=(demo-\S+)/.exec(demo.stderr)?.[1];
    expect(campaign, demo.stderr).toBeDefined();

    // The same fleet the demo scanned (default range, mix and seed), for its manifest only.
    const fleet = await startFleet({ range: '127.16.0.0/22', port: 0, mix: 'realistic', seed: 1 });
    const expected = new Map<string, Set<string>>();
    try {
      for (const e of fleet.manifest()) {
        for (const f of e.expect.fingerprints ?? []) {
          const hosts = expected.get(f) ?? new Set<string>();
          hosts.add(e.ip);
          expected.set(f, hosts);
        }
      }
    } finally {
      await fleet.close();
    }
    expect(expected.size).toBeGreaterThan(0);

    const query = await runCli(
      [
        'query',
        '--saved',
        'stripping-by-fingerprint',
        '--param',
        `campaign=${campaign ?? ''}`,
        '--data-dir',
        dataDir,
        '--format',
        'json',
      ],
      { timeoutMs: 60_000 },
    );
    expect(query.stderr).toBe('');
    expect(query.code).toBe(0);
    const found = new Map<string, number>();
    // --format json prints one JSON object per line.
    const lines = query.stdout.split('\n').filter((l) => l !== '');
    for (const row of lines.map((l) => JSON.parse(l) as { fingerprint: string; hosts: number | string })) {
      found.set(row.fingerprint, (found.get(row.fingerprint) ?? 0) + Number(row.hosts));
    }
    expect(Object.fromEntries(found)).toEqual(
      Object.fromEntries([...expected].map(([f, hosts]) => [f, hosts.size] as const)),
    );
  });
});
