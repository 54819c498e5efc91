/**
 * stripscan as a user runs it (`stripscan scan --targets-file … --no-store
 * --jsonl FILE --rate 0`), pinned to core 0, timed from spawn to exit: the
 * figure to set beside another tool's wall time on the same hosts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runChild } from './child.js';
import type { SimProcess } from './sim-process.js';

export interface CliScanResult {
  wallMs: number;
  records: { outcome: string; tls_version: string | null; cert_sha256: string | null; ehlo_keywords: string[] }[];
}

export async function stripscanCliScan(
  sim: SimProcess,
  hosts: string[],
  concurrency: number,
  workDir: string,
): Promise<CliScanResult> {
  const targets = join(workDir, 'targets.txt');
  const jsonl = join(workDir, 'stripscan.jsonl');
  writeFileSync(targets, `${hosts.join('\n')}\n`);
  const args = [
    join(REPO_ROOT, 'bin/stripscan.js'),
    'scan',
    '--targets-file',
    targets,
    '--allow-reserved',
    '--port',
    String(sim.port),
    '--ca-file',
    sim.caFile,
    '--no-store',
    '--no-progress',
    '--jsonl',
    jsonl,
    '--rate',
    '0',
    '--concurrency',
    String(concurrency),
  ];
  const result = await runChild(process.execPath, args, { core: 0, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`stripscan scan exit ${result.code}: ${result.stderr.slice(-1000)}`);
  const records = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CliScanResult['records'][number]);
  return { wallMs: result.wallMs, records };
}
