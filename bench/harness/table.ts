/** The results table printed at the end of `npm run bench`. */
import type { BenchRow } from './result.js';

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function renderTable(rows: readonly BenchRow[]): string {
  const header = ['suite', 'metric', 'median', 'unit', 'runs', 'ratio'];
  const body = rows.map((r) => [
    r.suite,
    r.metric,
    formatNumber(r.median),
    r.unit,
    r.runs.map(formatNumber).join(' / '),
    r.ratio === undefined ? '' : `${r.ratio.value.toFixed(2)}× ${r.ratio.against}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `- ${r.suite} / ${r.metric}: ${r.note}`);
  return [line(header), rule, ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
