/**
 * The demo beside eight busy loops on a 2-core machine (about a fifth of a
 * core left for it, fleet and scanner in one process): every host must still
 * get the record the manifest predicts. Before the overload guard and the
 * step deadlines, 522–656 of the 1,024 records changed here (no-banner
 * 239 → 566): the machine's own load written into the data as server
 * behaviour. Runs in the serial project: it is its own load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBusyLoops } from '../helpers/busy-loops.js';
import { runDemoAndCompare } from '../cli/demo-check.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-demo-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stripscan demo on a loaded machine', () => {
  it('gives the same outcomes and evidence as the manifest beside eight busy loops', async () => {
    const loops = startBusyLoops(8, 300);
    try {
      const check = await runDemoAndCompare(join(dir, 'data'));
      expect(check.rows).toBe(1024);
      expect(check.mismatches).toEqual([]);
    } finally {
      loops.stop();
    }
  }, 300_000);
});
