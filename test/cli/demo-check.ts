/**
 * Runs the README's demo through the real binary and compares what it stored,
 * host by host, with the fleet's manifest (expectations derived from the RFCs
 * and the evidence rules, not from the classifier). Shared by the quiet test
 * and the loaded-machine test: a result that changes with load is a bug.
 */
import { expect } from 'vitest';
import { startFleet } from '../../src/sim/index.js';
import { runCli } from '../helpers/run-cli.js';

/** The fields the demo's outcome and evidence rest on. */
const FIELDS = ['outcome', 'fingerprints', 'strip_evidence', 'error_stage'] as const;

interface StoredRow {
  ip: string;
  outcome: string;
  fingerprints: string[];
  strip_evidence: string | null;
  error_stage: string | null;
}

export interface DemoCheck {
  /** Hosts whose stored record differs from the manifest, with both sides. */
  mismatches: string[];
  rows: number;
  stderr: string;
}

export async function runDemoAndCompare(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<DemoCheck> {
  const demo = await runCli(['demo', '--data-dir', dataDir], { timeoutMs: 240_000, env });
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stderr).not.toMatch(/spool/i);
  const campaign = /--param campaign=(demo-\S+)/.exec(demo.stderr)?.[1];
  expect(campaign, demo.stderr).toBeDefined();

  const query = await runCli(
    [
      'query',
      `SELECT replaceRegexpOne(toString(ip), '^::ffff:', '') AS ip, toString(outcome) AS outcome,
              arrayMap(f -> toString(f), fingerprints) AS fingerprints,
              CAST(strip_evidence, 'Nullable(String)') AS strip_evidence,
              CAST(error_stage, 'Nullable(String)') AS error_stage
       FROM observations WHERE campaign = '${campaign ?? ''}' ORDER BY ip`,
      '--data-dir',
      dataDir,
      '--format',
      'json',
    ],
    { timeoutMs: 60_000 },
  );
  expect(query.code, query.stderr).toBe(0);
  const stored = new Map<string, StoredRow>();
  for (const line of query.stdout.split('\n').filter((l) => l !== '')) {
    const row = JSON.parse(line) as StoredRow;
    stored.set(row.ip, row);
  }

  // The same fleet the demo scanned (its default range, mix and seed), for its manifest only.
  const fleet = await startFleet({ range: '127.16.0.0/22', port: 0, mix: 'realistic', seed: 1 });
  const mismatches: string[] = [];
  try {
    for (const entry of fleet.manifest()) {
      const row = stored.get(entry.ip);
      const want = Object.fromEntries(FIELDS.map((f) => [f, entry.expect[f] ?? null]));
      const got = row === undefined ? null : Object.fromEntries(FIELDS.map((f) => [f, row[f]]));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${entry.ip} ${entry.persona}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
      }
    }
  } finally {
    await fleet.close();
  }
  return { mismatches, rows: stored.size, stderr: demo.stderr };
}
