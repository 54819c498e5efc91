/** What a panel's query must return for its panel type: shared by the scan and the domain dashboards' tests. */
import { expect } from 'vitest';
import type { Panel } from './dashboards.js';

export interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

const isNumeric = (type: string): boolean => /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/.test(type);
const isTime = (type: string): boolean => /^(Nullable\()?DateTime/.test(type);

export function checkShape(panel: Panel, result: JsonResult): void {
  const where = `${panel.title} (${panel.type})`;
  expect(result.data.length, `${where}: no rows`).toBeGreaterThan(0);
  const numeric = result.meta.filter((m) => isNumeric(m.type));
  if (panel.type === 'timeseries') {
    expect(isTime(result.meta[0]?.type ?? ''), `${where}: first column must be a time`).toBe(true);
    expect(numeric.length, `${where}: needs a numeric column`).toBeGreaterThan(0);
  }
  if (panel.type === 'stat' || panel.type === 'piechart' || panel.type === 'bargauge') {
    expect(numeric.length, `${where}: needs a numeric column`).toBeGreaterThan(0);
  }
  if (panel.type === 'stat') expect(result.data.length, `${where}: one row`).toBe(1);
  for (const row of result.data) {
    for (const m of numeric) {
      const value = row[m.name];
      if (value === null) continue;
      expect(Number.isFinite(Number(value)), `${where}: ${m.name} = ${String(value)}`).toBe(true);
    }
  }
  // Every panel has something to say about this data: some numeric value is non-zero.
  const nonZero = result.data.some((row) => numeric.some((m) => Number(row[m.name]) > 0));
  if (numeric.length > 0) expect(nonZero, `${where}: every number is zero`).toBe(true);
}
