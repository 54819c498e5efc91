/** The report's pure parts: cutting server text, round ticks, and which campaigns share a time series. */
import { describe, expect, it } from 'vitest';
import { targetSetKey } from '../../src/report/index.js';
import { clipText, serverSpan } from '../../src/report/server-text.js';
import { roundTicks, shareLineChart } from '../../src/report/svg-charts.js';

describe('clipText', () => {
  it('keeps text within both limits, and cuts at the first character past either with an ellipsis', () => {
    expect(clipText('250 mx ESMTP', 20, 10)).toEqual({ shown: '250 mx ESMTP', clipped: false });
    expect(clipText('a'.repeat(500), 32, 32)).toEqual({ shown: `${'a'.repeat(32)}…`, clipped: true });
    expect(clipText('short words only here', 10, 40)).toEqual({ shown: 'short word…', clipped: true });
    expect(clipText('ok LONGLONGLONG', 100, 5)).toEqual({ shown: 'ok LONGL…', clipped: true });
    // Characters, not UTF-16 units: an emoji is not cut in half.
    expect(clipText('😀😀😀', 2, 10).shown).toBe('😀😀…');
  });

  it('puts the whole text, escaped, in the tooltip of a cut span only', () => {
    const html = serverSpan(`"><script>${'x'.repeat(50)}`, { maxChars: 10, maxWord: 10 });
    expect(html).toBe(
      `<span class="server" title="&quot;&gt;&lt;script&gt;${'x'.repeat(50)}">&quot;&gt;&lt;script&gt;…</span>`,
    );
    expect(serverSpan('fine', { maxChars: 10, maxWord: 10, nowrap: true })).toBe(
      '<span class="server nowrap">fine</span>',
    );
  });
});

describe('roundTicks', () => {
  const cases: [number, number[]][] = [
    [0, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [13.45, [0, 5, 10, 15]],
    [62.5, [0, 20, 40, 60, 80]],
    [100, [0, 20, 40, 60, 80, 100]],
    [0.37, [0, 0.1, 0.2, 0.3, 0.4]],
    [7, [0, 2, 4, 6, 8]],
  ];
  for (const [max, ticks] of cases) {
    it(`${max} → ${ticks.join(', ')}`, () => expect(roundTicks(max)).toEqual(ticks));
  }
});

describe('shareLineChart', () => {
  it('draws every campaign name in full, slanted when the names do not fit between points, on round ticks', () => {
    const names = Array.from({ length: 12 }, (_, i) => `weekly-port25-sweep-2026-${String(i + 1).padStart(2, '0')}<x>`);
    const svg = shareLineChart('t', names, [{ name: 's', points: names.map((x, i) => ({ x, y: i / 100 })) }]);
    for (const n of names) expect(svg).toContain(`>${n.replace('<x>', '&lt;x&gt;')}</text>`);
    expect(svg).toContain('rotate(-30');
    const ticks = [...svg.matchAll(/class="value">([\d.]+) %</g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '2', '4', '6', '8', '10', '12']);
    const short = shareLineChart('t', ['a', 'b'], [{ name: 's', points: [{ x: 'a', y: 0.5 }] }]);
    expect(short).not.toContain('rotate(-30');
  });
});

describe('targetSetKey', () => {
  const local = (targets: string[], port: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ targets, targets_file: null, port, mix: 'even', mode: 'local', ...extra });
  it('is the same for the same targets (in any order) and port, whatever else differs', () => {
    expect(targetSetKey(local(['10.0.0.0/24', '10.0.1.0/24'], 25))).toBe(
      targetSetKey(local(['10.0.1.0/24', '10.0.0.0/24'], 25, { mix: 'realistic', rate: 5 })),
    );
  });
  it('differs for another port, other targets, or a targets file', () => {
    const key = targetSetKey(local(['10.0.0.0/24'], 25));
    expect(targetSetKey(local(['10.0.0.0/24'], 587))).not.toBe(key);
    expect(targetSetKey(local(['10.0.0.0/25'], 25))).not.toBe(key);
    expect(targetSetKey(local(['10.0.0.0/24'], 25, { targets_file: 'more.txt' }))).not.toBe(key);
  });
  it('reads a distributed campaign (specs, blocklists), and is null when the parameters do not say', () => {
    const spec = (blocklists: unknown[]) =>
      JSON.stringify({ specs: ['10.0.0.0/24'], blocklists, allowlist: null, port: 25 });
    expect(targetSetKey(spec([]))).not.toBe(targetSetKey(spec([{ name: 'optout', specs: ['10.0.0.5'] }])));
    expect(targetSetKey('{}')).toBeNull();
    expect(targetSetKey('not json')).toBeNull();
    expect(targetSetKey(JSON.stringify({ targets: [], port: 25 }))).toBeNull();
  });
});
