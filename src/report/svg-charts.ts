/**
 * Inline SVG charts for the report: horizontal bars (one or two series) and a
 * line chart over campaigns. Drawn on the server, no script, no fonts to load:
 * the text uses the page's font stack. Every label goes through escapeHtml.
 */
import { escapeHtml } from './html-escape.js';

export interface BarSeries {
  name: string;
  /** label → value; labels missing from a series draw no bar. */
  values: ReadonlyMap<string, number>;
}

export const SERIES_COLOURS = ['#2f6db5', '#e0892b', '#3a9d5d', '#b5432f'] as const;

const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(3));

export function barChart(title: string, labels: readonly string[], series: readonly BarSeries[]): string {
  const labelWidth = 190;
  const barArea = 360;
  const barHeight = 14;
  const rowHeight = series.length * barHeight + 10;
  const legend = series.length > 1 ? 22 : 0;
  const height = Math.max(labels.length, 1) * rowHeight + legend + 8;
  const width = labelWidth + barArea + 80;
  const max = Math.max(1, ...series.flatMap((s) => [...s.values.values()]));
  const parts: string[] = [];
  series.forEach((s, i) => {
    if (series.length < 2) return;
    const x = labelWidth + i * 150;
    parts.push(
      `<rect x="${x}" y="4" width="12" height="12" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}"/>`,
      `<text x="${x + 16}" y="14" class="legend">${escapeHtml(s.name)}</text>`,
    );
  });
  labels.forEach((label, row) => {
    const y0 = legend + row * rowHeight + 4;
    const shown = label.length > 30 ? `${label.slice(0, 29)}…` : label;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y0 + (series.length * barHeight) / 2 + 4}" text-anchor="end"><title>${escapeHtml(label)}</title>${escapeHtml(shown)}</text>`,
    );
    series.forEach((s, i) => {
      const value = s.values.get(label) ?? 0;
      const w = Math.max(value > 0 ? 1 : 0, Math.round((value / max) * barArea));
      const y = y0 + i * barHeight;
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight - 2}" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}"/>`,
        `<text x="${labelWidth + w + 4}" y="${y + barHeight - 4}" class="value">${fmt(value)}</text>`,
      );
    });
  });
  if (labels.length === 0) parts.push(`<text x="${labelWidth}" y="${legend + 14}">no data</text>`);
  return svg(title, width, height, parts);
}

export interface LinePoint {
  x: string;
  y: number;
}

export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
}

/**
 * Ticks at 0 and multiples of a round step (1, 2 or 5 × 10^n) up to the first
 * that reaches `max`, with at most `most` intervals: 0, 2, 4, 6 — never 0, 1.37, 2.74.
 */
export function roundTicks(max: number, most = 6): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / most;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  // toPrecision: 3 × 0.1 is 0.30000000000000004 in binary; the tick is 0.3.
  for (let k = 0; ticks.length === 0 || (ticks.at(-1) as number) < top - step * 1e-9; k++) {
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** Decimals a tick label needs to show its step exactly: 0.5 → 1, 2 → 0. */
function tickDecimals(ticks: readonly number[]): number {
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** Rough width of a label in the chart's 12 px sans-serif: for layout only. */
const textWidth = (text: string): number => [...text].length * 6.8;

/**
 * Shares (0..1) per campaign, campaigns in order along x, in percent with
 * round ticks. Campaign names are drawn in full (a name is what tells two
 * points apart): horizontal when they fit between points, else slanted, with
 * the margins grown to hold the longest.
 */
export function shareLineChart(title: string, xLabels: readonly string[], series: readonly LineSeries[]): string {
  const n = Math.max(xLabels.length, 1);
  const plotW = Math.max(940, n * 90);
  const plotH = 300;
  const inset = 30;
  const spacing = n <= 1 ? plotW : (plotW - 2 * inset) / (n - 1);
  const longest = Math.max(0, ...xLabels.map(textWidth));
  const slanted = longest > spacing - 10;
  const cos = Math.cos(Math.PI / 6);
  const sin = Math.sin(Math.PI / 6);
  const firstWidth = textWidth(xLabels[0] ?? '');
  const left = Math.max(72, slanted ? firstWidth * cos - inset + 12 : firstWidth / 2 - inset + 12);
  const top = 40;
  const bottom = (slanted ? longest * sin + 24 : 30) + 16;
  const width = Math.ceil(left + plotW + 24);
  const height = Math.ceil(top + plotH + bottom);
  const maxPercent = 100 * Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const ticks = roundTicks(Math.min(100, maxPercent));
  const topTick = ticks.at(-1) as number;
  const decimals = tickDecimals(ticks);
  const xAt = (i: number): number => left + (n <= 1 ? plotW / 2 : inset + i * spacing);
  const yAt = (percent: number): number => top + plotH - (percent / topTick) * plotH;
  const parts: string[] = [
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`,
    `<text x="14" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotH / 2})" class="axis">share of SMTP hosts (%)</text>`,
  ];
  for (const t of ticks) {
    const y = yAt(t).toFixed(1);
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${Number(y) + 4}" text-anchor="end" class="value">${t.toFixed(decimals)} %</text>`,
    );
  }
  xLabels.forEach((label, i) => {
    const x = xAt(i).toFixed(1);
    const y = top + plotH + 18;
    const place = slanted ? `text-anchor="end" transform="rotate(-30 ${x} ${y})"` : `text-anchor="middle"`;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top + plotH}" y2="${top + plotH + 5}" stroke="#999"/>`,
      `<text x="${x}" y="${y}" ${place} class="axis">${escapeHtml(label)}</text>`,
    );
  });
  series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length] as string;
    const points = s.points
      .map((p) => ({ i: xLabels.indexOf(p.x), y: p.y, label: p.x }))
      .filter((p) => p.i >= 0)
      .map((p) => ({ ...p, cx: xAt(p.i).toFixed(1), cy: yAt(100 * p.y).toFixed(1) }));
    if (points.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((p) => `${p.cx},${p.cy}`).join(' ')}"/>`,
      );
    for (const p of points) {
      parts.push(
        `<circle cx="${p.cx}" cy="${p.cy}" r="4" fill="${colour}"><title>${escapeHtml(`${s.name}, ${p.label}: ${(100 * p.y).toFixed(2)} %`)}</title></circle>`,
      );
    }
    const lx = left + i * 260;
    parts.push(
      `<rect x="${lx}" y="12" width="12" height="12" fill="${colour}"/>`,
      `<text x="${lx + 16}" y="22" class="legend">${escapeHtml(s.name)}</text>`,
    );
  });
  return svg(title, width, height, parts, 'chart series');
}

function svg(title: string, width: number, height: number, parts: string[], cls = 'chart'): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="${cls}" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}
