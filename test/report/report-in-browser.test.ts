/**
 * The HTML report of real fleet scans, opened in headless Chromium: charts
 * render, nothing is fetched, no console errors, the hostile banner persona's
 * `<script>` shows as text; no table overflows its box, server text wraps
 * only at spaces (a scripted server's 500-character EHLO keyword and long
 * banner are cut, whole in a tooltip), numbers stand under their headings,
 * the time series holds only campaigns over the same targets, with round
 * ticks. The screenshot is kept in test-artifacts/ (and in
 * STRIPSCAN_REPORT_SCREENSHOT when set).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHistory, loadReportData, writeReport } from '../../src/report/index.js';
import { createWriter } from '../../src/store/index.js';
import { syntheticRecords } from '../../src/store/synthetic-records.js';
import {
  FLEET_RANGE,
  HOSTILE_KEYWORD,
  LONG_BANNER,
  openScannedStore,
  type ScannedStore,
} from '../dashboards/scanned-store.js';
import { launchChromium } from './headless-chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const HOSTILE = '<script>alert(1)</script>';

interface PageFacts {
  scripts: number;
  charts: { w: number; h: number; marks: number }[];
  text: string;
  tables: number;
  /** Tables wider than their container, and cells whose content is wider than the cell. */
  overflowing: string[];
  /** Server text broken at a character that is not a space, and nowrap text on two lines. */
  badBreaks: string[];
  /** Numbers whose right edge is not under their heading's right edge. */
  misaligned: string[];
  /** Tooltips (title) of cut server text, and what the cell shows. */
  clipped: { title: string; shown: string }[];
  /** How many server-text spans did wrap (at spaces): the check saw real wrapping. */
  wrapped: number;
  seriesTicks: string[];
  seriesLabels: string[];
}

/** A campaign over other targets on another port: it must stay off the report's time series. */
const ELSEWHERE = 'elsewhere';

let scanned: ScannedStore;
let outDir: string;
let reportFile: string;

beforeAll(async () => {
  scanned = await openScannedStore();
  outDir = mkdtempSync(join(tmpdir(), 'stripscan-report-'));
  reportFile = join(outDir, 'alpha.html');
  const writer = createWriter(scanned.store, { replaySpoolOnStart: false });
  const earlier = new Date(scanned.from.getTime() - 3_600_000);
  await writer.writeCampaigns([
    {
      campaign: ELSEWHERE,
      params: { targets: ['127.21.0.0/24'], port: 2525, mode: 'local' },
      seed: '9',
      ehlo_name: 'views-test.stripscan.localhost',
      contact: '',
      started_at: earlier.toISOString(),
      ended_at: earlier.toISOString(),
      state: 'done',
      addresses_total: 40,
      chunks_total: 1,
      chunks_done: 1,
      chunks_failed: 0,
      attempted: 40,
      responsive: 40,
      counters: {},
    },
  ]);
  for (const r of syntheticRecords(40, { seed: 5, campaign: ELSEWHERE, start: earlier })) await writer.write(r);
  await writer.close();
  await writeReport(scanned.store, { campaign: 'alpha', compare: 'beta', htmlFile: reportFile });
}, 120_000);

afterAll(async () => {
  await scanned?.cleanup();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

describe('HTML report', () => {
  it('is one document with no script, no external reference, and a CSP that forbids loads', () => {
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    // The hostile banner is in the data, escaped.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('views-test.stripscan.localhost');
  });

  it('the time series holds the campaigns over the same targets and port, or the ones named', async () => {
    const same = await loadHistory(scanned.store.client, { campaign: 'alpha', compare: 'beta' });
    expect(same.rule).toBe('same-targets');
    expect(same.points.map((p) => p.campaign)).toEqual(['alpha', 'beta']);
    expect(same.targets).toContain(FLEET_RANGE);
    const beforeBeta = await loadHistory(scanned.store.client, { campaign: 'alpha' });
    expect(beforeBeta.points.map((p) => p.campaign)).toEqual(['alpha']);
    const elsewhere = await loadHistory(scanned.store.client, { campaign: ELSEWHERE, compare: 'alpha' });
    expect(elsewhere.points.map((p) => p.campaign)).toEqual([ELSEWHERE]);
    expect(elsewhere.excluded).toEqual(['alpha']);
    const named = await loadHistory(scanned.store.client, { campaign: 'beta', series: [ELSEWHERE, 'alpha'] });
    expect(named.rule).toBe('named');
    expect(named.points.map((p) => p.campaign)).toEqual([ELSEWHERE, 'alpha', 'beta']);
    expect(named.points[0]?.completeness).toBe('done: 100 % (40 of 40 addresses)');
    await expect(
      loadReportData(scanned.store.client, { campaign: 'alpha', series: ['nope'], storeDescription: 'test' }),
    ).rejects.toThrow(/^--series "nope": no such campaign in the store$/);
  });

  it('renders in Chromium: charts drawn, no network, no console errors, hostile text shown as text', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      const url = pathToFileURL(reportFile).href;
      await page.goto(url, { waitUntil: 'load' });

      // Runs in the page; a string, because the project compiles without the DOM library.
      const facts = (await page.evaluate(`(() => {
        const charts = [...document.querySelectorAll('svg.chart')].map((s) => {
          const box = s.getBoundingClientRect();
          return { w: box.width, h: box.height, marks: s.querySelectorAll('rect, circle, polyline').length };
        });
        const overflowing = [];
        for (const t of document.querySelectorAll('table')) {
          const box = t.parentElement.getBoundingClientRect();
          const r = t.getBoundingClientRect();
          const name = (t.previousElementSibling?.textContent ?? '').slice(0, 40);
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5) overflowing.push('table ' + name);
          for (const cell of t.querySelectorAll('td, th')) {
            if (cell.scrollWidth > cell.clientWidth + 1) overflowing.push(name + ': ' + cell.textContent.slice(0, 40));
          }
        }
        // Where each line of a span starts: a line may start only after a space or a newline.
        const badBreaks = [];
        let wrapped = 0;
        for (const span of document.querySelectorAll('table .server, table .nowrap')) {
          const nowrap = getComputedStyle(span).whiteSpace === 'nowrap';
          if (nowrap) {
            if (span.getClientRects().length > 1) badBreaks.push('nowrap on two lines: ' + span.textContent.slice(0, 40));
            continue;
          }
          const node = span.firstChild;
          if (node === null || node.nodeType !== Node.TEXT_NODE) continue;
          const text = node.data;
          const range = document.createRange();
          let lastTop = null;
          let lines = 1;
          for (let i = 0; i < text.length; i++) {
            if (/\\s/.test(text[i])) continue;
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const top = range.getBoundingClientRect().top;
            if (lastTop !== null && top > lastTop + 2) {
              lines++;
              if (!/\\s/.test(text[i - 1])) badBreaks.push('broken at ' + i + ': ' + text.slice(Math.max(0, i - 12), i + 12));
            }
            lastTop = top;
          }
          if (lines > 1) wrapped++;
        }
        const textRight = (el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return range.getBoundingClientRect().right;
        };
        const misaligned = [];
        for (const t of document.querySelectorAll('table')) {
          const heads = [...t.querySelectorAll('thead th')];
          for (const row of t.querySelectorAll('tbody tr')) {
            [...row.children].forEach((td, i) => {
              if (!td.classList.contains('n') || td.textContent.trim() === '') return;
              const th = heads[i];
              if (!th.classList.contains('n') || Math.abs(textRight(th) - textRight(td)) > 2)
                misaligned.push(th.textContent + ': ' + td.textContent);
            });
          }
        }
        const clipped = [...document.querySelectorAll('table .server[title]')].map((s) => ({ title: s.title, shown: s.textContent }));
        const series = document.querySelector('svg.series');
        const seriesText = [...(series?.querySelectorAll('text') ?? [])].map((x) => x.textContent);
        return {
          scripts: document.querySelectorAll('script').length,
          charts,
          text: document.body.innerText,
          tables: document.querySelectorAll('table').length,
          overflowing,
          badBreaks,
          misaligned,
          clipped,
          wrapped,
          seriesTicks: seriesText.filter((x) => / %$/.test(x)),
          seriesLabels: seriesText,
        };
      })()`)) as PageFacts;
      expect(requests).toEqual([url]);
      expect(problems).toEqual([]);
      expect(facts.scripts).toBe(0);
      expect(facts.charts.length).toBeGreaterThanOrEqual(5);
      for (const c of facts.charts) {
        expect(c.w).toBeGreaterThan(100);
        expect(c.h).toBeGreaterThan(40);
        expect(c.marks).toBeGreaterThan(2);
      }
      expect(facts.text).toContain(HOSTILE);
      expect(facts.text).toContain('starttls-stripped');
      expect(facts.text).toContain('AS64500');
      expect(facts.tables).toBeGreaterThan(8);

      expect(facts.overflowing).toEqual([]);
      expect(facts.badBreaks).toEqual([]);
      expect(facts.wrapped).toBeGreaterThan(0);
      expect(facts.misaligned).toEqual([]);
      // The hostile keyword and the long banner: cut with an ellipsis, whole in the tooltip.
      const keyword = facts.clipped.find((c) => c.title === HOSTILE_KEYWORD);
      expect(keyword?.shown).toMatch(/^HOSTILEQ+…$/);
      expect(keyword?.shown.length).toBeLessThanOrEqual(33);
      const banner = facts.clipped.find((c) => c.title === LONG_BANNER);
      expect(banner?.shown).toMatch(/^mx\.hostile\.example ESMTP word0 .*…$/);
      expect(facts.text).not.toContain(HOSTILE_KEYWORD);

      // Round ticks: 0 and equal steps of 1, 2 or 5 × 10^n; campaign names in full; only comparable campaigns.
      const ticks = facts.seriesTicks.map((t) => Number(t.replace(' %', '')));
      expect(ticks[0]).toBe(0);
      const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
      expect(step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toBeOneOf([1, 2, 5]);
      ticks.forEach((t, i) => expect(t).toBeCloseTo(i * step, 9));
      expect(facts.seriesLabels).toEqual(expect.arrayContaining(['alpha', 'beta']));
      expect(facts.seriesLabels).not.toContain(ELSEWHERE);
      expect(facts.text).toContain('Campaign done: 100 %');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      const copy = process.env.STRIPSCAN_REPORT_SCREENSHOT;
      if (copy !== undefined && copy !== '') await page.screenshot({ path: copy, fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
