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

/** Shares (0..1) per campaign, campaigns in order along x. */
export function shareLineChart(title: string, xLabels: readonly string[], series: readonly LineSeries[]): string {
  // Room on the left for the rotated campaign names, which run down and to the left of their point.
  const left = 120;
  const top = 28;
  const plotW = Math.max(360, xLabels.length * 70);
  const plotH = 180;
  const bottom = 70;
  const width = left + plotW + 30;
  const height = top + plotH + bottom;
  const max = Math.min(1, Math.max(0.05, ...series.flatMap((s) => s.points.map((p) => p.y))) * 1.1);
  const xAt = (i: number): number => left + (xLabels.length <= 1 ? plotW / 2 : (i * plotW) / (xLabels.length - 1));
  const yAt = (v: number): number => top + plotH - (v / max) * plotH;
  const parts: string[] = [
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${yAt(v)}" y2="${yAt(v)}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${yAt(v) + 4}" text-anchor="end" class="value">${(v * 100).toFixed(1)}%</text>`,
    );
  }
  xLabels.forEach((label, i) => {
    const shown = label.length > 18 ? `${label.slice(0, 17)}…` : label;
    parts.push(
      `<text x="${xAt(i)}" y="${top + plotH + 16}" text-anchor="end" transform="rotate(-30 ${xAt(i)} ${top + plotH + 16})" class="value"><title>${escapeHtml(label)}</title>${escapeHtml(shown)}</text>`,
    );
  });
  series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length] as string;
    const coords = s.points
      .map((p) => ({ i: xLabels.indexOf(p.x), y: p.y }))
      .filter((p) => p.i >= 0)
      .map((p) => `${xAt(p.i).toFixed(1)},${yAt(p.y).toFixed(1)}`);
    if (coords.length > 1)
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const c of coords) {
      const [cx, cy] = c.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="4" fill="${colour}"/>`);
    }
    const lx = left + i * 170;
    parts.push(
      `<rect x="${lx}" y="6" width="12" height="12" fill="${colour}"/>`,
      `<text x="${lx + 16}" y="16" class="legend">${escapeHtml(s.name)}</text>`,
    );
  });
  return svg(title, width, height, parts);
}

function svg(title: string, width: number, height: number, parts: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}
