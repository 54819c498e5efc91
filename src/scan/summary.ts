/** The end-of-scan summary printed on stderr: outcomes and fingerprints with counts and shares. */
import { FINGERPRINTS, OUTCOMES } from '../record.js';
import type { ChunkStats } from './chunk-stats.js';

export function formatSummary(stats: ChunkStats, elapsedMs: number): string {
  const lines: string[] = [];
  const rate = elapsedMs > 0 ? (stats.attempted * 1000) / elapsedMs : 0;
  lines.push(
    `scanned ${stats.attempted} targets in ${(elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)}/s); ${stats.responsive} responsive`,
  );
  if (stats.heldMs > 0) {
    // Said plainly: a researcher should know their machine, not the servers, set the pace.
    lines.push(
      `held back ${(stats.heldMs / 1000).toFixed(1)} s while this machine was overloaded (event loop lagging)`,
    );
  }
  const width = Math.max(...OUTCOMES.map((o) => o.length), ...FINGERPRINTS.map((f) => f.length));
  const share = (n: number): string => (stats.attempted > 0 ? ((100 * n) / stats.attempted).toFixed(1) : '0.0');
  lines.push('outcomes:');
  for (const o of OUTCOMES) {
    const n = stats.outcomes[o];
    if (n > 0) lines.push(`  ${o.padEnd(width)} ${String(n).padStart(8)}  ${share(n).padStart(5)} %`);
  }
  const seen = FINGERPRINTS.filter((f) => stats.fingerprints[f] > 0);
  lines.push(seen.length > 0 ? 'fingerprints:' : 'fingerprints: none');
  for (const f of seen) {
    const n = stats.fingerprints[f];
    lines.push(`  ${f.padEnd(width)} ${String(n).padStart(8)}  ${share(n).padStart(5)} %`);
  }
  return lines.join('\n') + '\n';
}
