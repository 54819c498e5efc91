/**
 * The HTML report of real fleet scans, opened in headless Chromium: charts
 * render, nothing is fetched, no console errors, the hostile banner persona's
 * `<script>` shows as text. The screenshot is kept in test-artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { openScannedStore, type ScannedStore } from '../dashboards/scanned-store.js';
import { launchChromium } from './headless-chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const HOSTILE = '<script>alert(1)</script>';

interface PageFacts {
  scripts: number;
  charts: { w: number; h: number; marks: number }[];
  text: string;
  tables: number;
}

let scanned: ScannedStore;
let outDir: string;
let reportFile: string;

beforeAll(async () => {
  scanned = await openScannedStore();
  outDir = mkdtempSync(join(tmpdir(), 'stripscan-report-'));
  reportFile = join(outDir, 'alpha.html');
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
        return {
          scripts: document.querySelectorAll('script').length,
          charts,
          text: document.body.innerText,
          tables: document.querySelectorAll('table').length,
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

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
