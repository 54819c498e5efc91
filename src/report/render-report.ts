/**
 * The campaign report as one self-contained HTML document: inline CSS, inline
 * SVG, no script, and a Content-Security-Policy that forbids every network
 * load, so opening the file fetches nothing even if some text slipped through.
 * Pure: ReportData in, string out.
 */
import { describeCompleteness } from './completeness.js';
import { escapeHtml as esc } from './html-escape.js';
import type { DomainSummary } from './domain-report-data.js';
import type { CampaignSummary, Count, PlaceRow, ReportData } from './report-data.js';
import { keywordList, serverSpan, TEXT_LIMITS } from './server-text.js';
import { barChart, shareLineChart, type BarSeries } from './svg-charts.js';
import { renderVantageSection } from './vantage-section.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:0;background:#f4f5f7}
main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:30px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{flex:1 1 150px;border:1px solid #ddd;border-radius:6px;padding:10px 14px}
.card b{display:block;font-size:22px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:8px 24px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid #e6e6e6;padding:4px 8px;text-align:left;vertical-align:top;word-break:normal;overflow-wrap:normal;hyphens:none}
th{background:#f7f7f9;font-weight:600}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.server{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.server{white-space:pre-wrap}.nowrap{white-space:nowrap}
.server[title]{text-decoration:underline dotted #999}
svg.chart{max-width:100%;height:auto;font-size:12px}svg.chart text{fill:#333}svg.chart .value{fill:#555;font-size:11px}
svg.chart .axis{fill:#333;font-size:12px}
`;

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(2)} %` : '–');
const num = (n: number): string => n.toLocaleString('en-US');

/**
 * A table; `numeric` columns are right-aligned, their headings too, so a
 * number stands under its own heading (a left-aligned heading over
 * right-aligned numbers put each number under the next column's heading).
 */
function table(headers: string[], rows: string[][], numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const head = headers.map((h, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((cell, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${cell}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** One chart per dimension: this campaign's counts, and the compared campaign's beside them. */
function countsChart(title: string, pick: (s: CampaignSummary) => Count[], data: ReportData): string {
  const summaries = data.compare === null ? [data.main] : [data.main, data.compare];
  const labels: string[] = [];
  for (const s of summaries) for (const c of pick(s)) if (!labels.includes(c.label)) labels.push(c.label);
  const series: BarSeries[] = summaries.map((s) => ({
    name: s.facts.campaign,
    values: new Map(pick(s).map((c) => [c.label, c.value])),
  }));
  return `<section><h3>${esc(title)}</h3>${barChart(title, labels, series)}</section>`;
}

/** A word of our own vocabulary (an outcome, a fingerprint): hyphens are no place to break it. */
const word = (text: string): string => `<span class="nowrap">${esc(text)}</span>`;
const label = (text: string): string => serverSpan(text, TEXT_LIMITS.label);

function placesTable(first: string, rows: PlaceRow[], label: (key: string) => string): string {
  return table(
    [first, 'SMTP hosts', 'Stripped hosts', 'Stripped share'],
    rows.map((r) => [
      word(label(r.key)),
      num(r.smtp_hosts),
      num(r.stripped_hosts),
      pct(r.stripped_hosts, r.smtp_hosts),
    ]),
    [1, 2, 3],
  );
}

function paramsTable(s: CampaignSummary): string {
  const f = s.facts;
  let params: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(f.params);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      params = parsed as Record<string, unknown>;
  } catch {
    params = { params: f.params };
  }
  const rows: string[][] = [
    ['Campaign', label(f.campaign)],
    ['Started', esc(f.started_at || 'unknown')],
    ['Ended', esc(f.ended_at ?? 'not ended')],
    ['State and completeness', esc(describeCompleteness(f))],
    ['Seed', `<code>${esc(f.seed)}</code>`],
    ['EHLO name', serverSpan(f.ehlo_name, TEXT_LIMITS.address)],
    ['Contact', serverSpan(f.contact, TEXT_LIMITS.contact)],
    ['Jobs reported', num(Number(f.jobs))],
    ['Addresses attempted', num(Number(f.attempted))],
    ['Addresses responsive', `${num(Number(f.responsive))} (${pct(Number(f.responsive), Number(f.attempted))})`],
    ...Object.entries(params).map(([k, v]) => [`<code>${esc(k)}</code>`, paramValue(v)]),
  ];
  return table(['Parameter', 'Value'], rows);
}

/** A parameter's value: a list (targets, blocklists) as whole items that wrap between items only. */
function paramValue(v: unknown): string {
  const items = Array.isArray(v) ? v : [v];
  return items
    .map((x) => serverSpan(typeof x === 'string' ? x : (JSON.stringify(x) ?? 'null'), TEXT_LIMITS.label))
    .join(', ');
}

/** A campaign cut short is a different sample: say so before any number. */
function completenessLine(s: CampaignSummary): string {
  return `<p><b>Campaign ${esc(describeCompleteness(s.facts))}.</b></p>`;
}

function summaryCards(s: CampaignSummary): string {
  const card = (label: string, value: string): string => `<div class="card">${esc(label)}<b>${value}</b></div>`;
  return `<div class="cards">${[
    card('Observations stored', num(s.observations)),
    card('SMTP hosts', num(s.smtpHosts)),
    card('STARTTLS stripped', `${num(s.strippedHosts)} · ${pct(s.strippedHosts, s.smtpHosts)}`),
    card('Stripped, direct evidence', `${num(s.strippedDirect)} · ${pct(s.strippedDirect, s.smtpHosts)}`),
    card(
      'Stripped, circumstantial evidence',
      `${num(s.strippedCircumstantial)} · ${pct(s.strippedCircumstantial, s.smtpHosts)}`,
    ),
    card('Timed out after the banner', `${num(s.timeoutHosts)} · ${pct(s.timeoutHosts, s.smtpHosts)}`),
    card('TLS hosts (handshake completed)', `${num(s.tlsHosts)} · ${pct(s.tlsHosts, s.smtpHosts)}`),
  ].join('')}</div>`;
}

function campaignDetail(s: CampaignSummary): string {
  return [
    `<h3>Autonomous systems</h3>`,
    placesTable('ASN', s.asns, (k) => (k === '0' ? 'unknown (no ASN data)' : `AS${k}`)),
    `<h3>Countries</h3>`,
    placesTable('Country', s.countries, (k) => (k === '' ? 'unknown' : k)),
    `<h3>Stripped hosts (first ${s.stripped.length} of ${num(s.strippedHosts)})</h3>`,
    table(
      ['Host', 'Port', 'Vantage', 'Evidence', 'Fingerprints', 'EHLO keywords (as received)', 'Banner'],
      s.stripped.map((h) => [
        serverSpan(h.host, TEXT_LIMITS.address),
        String(h.port),
        label(h.vantage),
        word(h.strip_evidence),
        h.fingerprints.map(word).join(', '),
        keywordList(h.ehlo_keywords),
        serverSpan(h.banner, TEXT_LIMITS.banner),
      ]),
      [1],
    ),
    `<h3>Banners</h3>`,
    table(
      ['Banner (escaped as the probe recorded it)', 'Hosts'],
      s.banners.map((b) => [serverSpan(b.label, TEXT_LIMITS.banner), num(b.value)]),
      [1],
    ),
    `<h3>Certificate names</h3>`,
    table(
      ['Subject', 'Issuer', 'Hosts'],
      s.certNames.map((c) => [
        serverSpan(c.subject, TEXT_LIMITS.name),
        serverSpan(c.issuer, TEXT_LIMITS.name),
        num(c.hosts),
      ]),
      [2],
    ),
  ].join('\n');
}

const METHODOLOGY = `
<p>Each address was probed once per vantage point: TCP connect, banner, <code>EHLO</code>, then <code>STARTTLS</code>
whether or not it was advertised, then a TLS handshake (TLS 1.0 to 1.3 accepted and recorded, never refused), then
<code>EHLO</code> again inside TLS. The probe never sends MAIL, RCPT, DATA or AUTH.</p>
<p>Every probe gets exactly one outcome and any number of fingerprints, by the classification rules in
<code>docs/classification.md</code> of the stripscan repository, each rule with its source. In short:
<b>starttls-stripped</b> rests on evidence about STARTTLS itself, graded. <i>Direct</i>: an altered echo of the
STARTTLS we sent, or STARTTLS hidden from a clean EHLO reply yet accepted when sent anyway. <i>Circumstantial</i>: a
masked EHLO keyword as long as STARTTLS (<code>250-XXXXXXXA</code>, Cisco ESMTP inspection) in a reply without
STARTTLS, and the STARTTLS we sent anyway answered as an unknown command. A masked keyword alone proves an
inspecting box, not stripping: it is kept as a fingerprint. <b>starttls-refused</b>: STARTTLS answered with an
error. <b>tls-failed</b>: the handshake failed after <code>220</code>. <b>tls-ok</b>: TLS negotiated.
<b>timeout</b>: the server had not answered when a step's deadline passed after its banner — never counted as a
refusal or failure. Certificate status judges trust first (self-signed or untrusted win over expiry), against the
system roots plus any extra trust anchors the campaign was given.</p>
<p>Shares are of <i>SMTP hosts</i>: distinct addresses whose probe reached SMTP (outcomes smtp-rejected through
tls-ok, and timeout, which always follows a banner). <i>TLS hosts</i> are SMTP hosts whose TLS handshake completed,
whatever the certificate: tls-ok, and stripped hosts whose hidden STARTTLS was accepted when sent anyway; their TLS
versions and certificate statuses are counted in hosts. <i>Stripped</i> hosts have the outcome starttls-stripped. A
host counts once per figure, as TLS or stripped when any of its observations (from any vantage point) is. Saved
queries and dashboards use the same definitions (<code>migrations/0009_definitions.sql</code>).
Addresses that refused or timed out the connection are counted in the job statistics, not stored as observations.
A stripped outcome from one vantage point is evidence about that network path, not about the server's operator;
compare vantage points before drawing conclusions about a network.</p>
<p>All text that came from servers (banners, EHLO keywords, certificate names) is shown escaped, exactly as
recorded; it is attacker-controlled.</p>`;

/**
 * `stripscan domains`: what the domains promised (MTA-STS, DANE, the STARTTLS
 * Everywhere list) and the MX addresses that broke it. Domain and MX names
 * come from DNS and reasons quote them: escaped like all server text.
 */
function domainSection(d: DomainSummary): string {
  const countRows = (counts: Count[]): string[][] => counts.map((c) => [word(c.label), num(c.value)]);
  return [
    `<p class="muted">${num(d.domains)} domains. A verdict per domain, MX host and address: <code>policy-violated</code>
under enforce mode, DANE or the preload list, <code>policy-testing-violated</code> under testing mode,
<code>policy-inconclusive</code> when the probe never reached TLS (ours to explain), <code>policy-error</code> when the
policy could not be had. Verdicts resting on the retired STARTTLS Everywhere list alone have source <code>preload</code>.</p>`,
    `<div class="grid"><section><h3>MX answers</h3>${table(['MX lookup', 'Domains'], countRows(d.mxStatus), [1])}</section>`,
    `<section><h3>MTA-STS</h3>${table(['Policy', 'Domains'], countRows(d.mtaSts), [1])}</section></div>`,
    `<h3>Verdicts by policy source</h3>`,
    table(
      ['Source', 'Verdict', 'MX addresses', 'Domains'],
      d.verdicts.map((v) => [esc(v.source), esc(v.verdict), num(v.mxAddresses), num(v.domains)]),
      [2, 3],
    ),
    `<h3>Broken promises</h3>`,
    table(
      ['Domain', 'MX', 'Address', 'Source', 'Mode', 'Verdict', 'Outcome', 'Fingerprints', 'Why'],
      d.broken.map((b) => [
        serverSpan(b.domain, TEXT_LIMITS.address),
        serverSpan(b.mx, TEXT_LIMITS.address),
        serverSpan(b.ip, TEXT_LIMITS.address),
        word(b.source),
        word(b.mode),
        word(b.verdict),
        word(b.outcome),
        b.fingerprints.map(word).join(', '),
        serverSpan(b.reasons.join('; '), TEXT_LIMITS.banner),
      ]),
    ),
  ].join('\n');
}

/**
 * The time series draws only campaigns that measured the same thing: the ones
 * the user named, or the report campaign's target set and port. The rule is
 * stated above the chart, and a compared campaign left off the line is named.
 */
function historySection(data: ReportData): string {
  const h = data.history;
  const points = h.points;
  const rule =
    h.rule === 'named'
      ? 'The campaigns named with <code>--series</code>, oldest first.'
      : `Campaigns over the same target set and port as ${esc(data.main.facts.campaign)}` +
        (h.targets === null ? '' : ` (${serverSpan(h.targets, TEXT_LIMITS.banner)})`) +
        ` that started up to it, oldest first; name others with <code>--series</code>.`;
  const excluded =
    h.excluded.length === 0
      ? ''
      : ` Not on the line: ${h.excluded.map((c) => label(c)).join(', ')} (another target set or port).`;
  return [
    `<p class="muted">${rule} Shares of SMTP hosts.${excluded}</p>`,
    shareLineChart(
      'Shares of SMTP hosts per campaign',
      points.map((p) => p.campaign),
      [
        { name: 'STARTTLS stripped', points: points.map((p) => ({ x: p.campaign, y: p.strippedShare })) },
        { name: 'TLS hosts (handshake completed)', points: points.map((p) => ({ x: p.campaign, y: p.tlsShare })) },
      ],
    ),
    table(
      ['Campaign', 'Started', 'State and completeness', 'SMTP hosts', 'Stripped', 'TLS hosts'],
      points.map((p) => [
        label(p.campaign),
        `<span class="nowrap">${esc(p.started_at)}</span>`,
        esc(p.completeness),
        num(p.smtpHosts),
        pct(p.strippedShare, 1),
        pct(p.tlsShare, 1),
      ]),
      [3, 4, 5],
    ),
  ].join('\n');
}

export function renderReport(data: ReportData): string {
  const { main, compare } = data;
  const title =
    compare === null
      ? `stripscan report: ${main.facts.campaign}`
      : `stripscan report: ${main.facts.campaign} vs ${compare.facts.campaign}`;
  const sections = [
    `<h1>${esc(title)}</h1>`,
    `<p class="muted">Generated ${esc(data.generatedAt)} from ${esc(data.storeDescription)}.</p>`,
    `<h2>Summary: ${esc(main.facts.campaign)}</h2>`,
    completenessLine(main),
    summaryCards(main),
    ...(compare === null
      ? []
      : [`<h2>Summary: ${esc(compare.facts.campaign)}</h2>`, completenessLine(compare), summaryCards(compare)]),
    `<h2>Results</h2><div class="grid">`,
    countsChart('Outcomes (observations)', (s) => s.outcomes, data),
    countsChart('Fingerprints (observations)', (s) => s.fingerprints, data),
    countsChart('Negotiated TLS versions', (s) => s.tlsVersions, data),
    countsChart('Certificate status', (s) => s.certStatus, data),
    `</div>`,
    ...(data.domains === null
      ? []
      : [`<h2>Domains and their promises: ${esc(main.facts.campaign)}</h2>`, domainSection(data.domains)]),
    ...(data.vantages == null ? [] : [renderVantageSection(main.facts.campaign, data.vantages)]),
    `<h2>Across campaigns</h2>`,
    historySection(data),
    `<h2>Where: ${esc(main.facts.campaign)}</h2>`,
    campaignDetail(main),
    ...(compare === null ? [] : [`<h2>Where: ${esc(compare.facts.campaign)}</h2>`, campaignDetail(compare)]),
    `<h2>Methodology</h2>`,
    METHODOLOGY,
    `<h2>Campaign parameters</h2>`,
    `<h3>${esc(main.facts.campaign)}</h3>`,
    paramsTable(main),
    ...(compare === null ? [] : [`<h3>${esc(compare.facts.campaign)}</h3>`, paramsTable(compare)]),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${sections.join('\n')}
</main></body>
</html>
`;
}
