/**
 * The README's first command, `npm run demo` (= `stripscan demo`), through
 * the real binary: it must leave a campaign in the embedded store whose every
 * host carries the record the fleet's manifest predicts, and the saved
 * queries must read it. Only --data-dir differs from the README, to keep the
 * test out of the working tree; range, mix and seed are the demo's defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { runDemoAndCompare } from './demo-check.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stripscan demo', () => {
  it('stores for every host the outcome, fingerprints and evidence the manifest predicts', async () => {
    const dataDir = join(dir, 'data');
    const check = await runDemoAndCompare(dataDir);
    expect(check.rows).toBe(1024);
    expect(check.mismatches).toEqual([]);

    const campaign = /--param campaign=(demo-\S+)/.exec(check.stderr)?.[1] ?? '';
    const query = await runCli(
      ['query', '--saved', 'stripping-by-fingerprint', '--param', `campaign=${campaign}`, '--data-dir', dataDir],
      { timeoutMs: 60_000 },
    );
    expect(query.stderr).toBe('');
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(/masked-ehlo-keyword/);
  });
});
