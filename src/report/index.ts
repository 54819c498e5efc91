/**
 * The HTML campaign report.
 *
 *   const data = await loadReportData(store.client, { campaign, compare?, series?, storeDescription })
 *   const html = renderReport(data)                  // one self-contained document
 *   await writeReport(store, { campaign, compare?, htmlFile })   // both, written atomically → { bytes, completeness }
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import { describeCompleteness } from './completeness.js';
import { loadReportData } from './report-data.js';
import { renderReport } from './render-report.js';

export { loadReportData, loadCampaignSummary, loadHistory, targetSetKey } from './report-data.js';
export type { ReportData, CampaignSummary, CampaignFacts, Count, History, HistoryPoint } from './report-data.js';
export { renderReport } from './render-report.js';
export { describeCompleteness, type CampaignProgress } from './completeness.js';
export { escapeHtml } from './html-escape.js';

export interface WriteReportOptions {
  campaign: string;
  compare?: string | undefined;
  /** The campaigns the time series draws (--series); by default those over the same target set and port. */
  series?: readonly string[] | undefined;
  htmlFile: string;
}

/** Renders and writes the report; a reader never sees a half-written file. Returns its size and how complete the campaign is. */
export async function writeReport(
  store: Store,
  opts: WriteReportOptions,
): Promise<{ bytes: number; completeness: string }> {
  const data = await loadReportData(store.client, {
    campaign: opts.campaign,
    compare: opts.compare,
    series: opts.series,
    storeDescription: store.description,
  });
  const html = renderReport(data);
  const partial = `${opts.htmlFile}.${process.pid}.partial`;
  await writeFile(partial, html, 'utf8');
  await rename(partial, opts.htmlFile);
  return { bytes: Buffer.byteLength(html), completeness: describeCompleteness(data.main.facts) };
}
