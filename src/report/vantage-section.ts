/**
 * The report's vantage-point section as HTML: pure, VantageSection in. Every
 * server string (transcripts) and label is escaped; transcripts wrap inside
 * their own column instead of widening the page. Styles are inline so the
 * section needs nothing from the report's stylesheet.
 */
import { escapeHtml as esc } from './html-escape.js';
import type { PathDependentHost, VantageSection } from './vantage-data.js';

const num = (n: number): string => n.toLocaleString('en-US');
const CELL = 'border-bottom:1px solid #e6e6e6;padding:4px 8px;text-align:left;vertical-align:top';
const NUM_CELL = `${CELL};text-align:right;font-variant-numeric:tabular-nums`;
const PRE =
  'font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;white-space:pre-wrap;' +
  'overflow-wrap:anywhere;margin:0;padding:6px;background:#f7f7f9;border:1px solid #e6e6e6;border-radius:4px';

function simpleTable(headers: string[], rows: string[][], numeric: number[], width = '100%'): string {
  const head = headers.map((h, i) => `<th style="${numeric.includes(i) ? NUM_CELL : CELL}">${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r) => `<tr>${r.map((c, i) => `<td style="${numeric.includes(i) ? NUM_CELL : CELL}">${c}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table style="border-collapse:collapse;width:${width};margin:6px 0"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** One host: a column per vantage, its outcome above its transcript, columns of equal width. */
function hostBlock(h: PathDependentHost): string {
  const columns = h.views
    .map((v) => {
      const detail = [v.strip_evidence === '' ? '' : `evidence ${v.strip_evidence}`, v.fingerprints.join(', ')]
        .filter((s) => s !== '')
        .join('; ');
      return `<div style="min-width:0" data-vantage="${esc(v.vantage)}">
<div><b>${esc(v.vantage)}</b>: <code>${esc(v.outcome)}</code>${detail === '' ? '' : ` <span class="muted">(${esc(detail)})</span>`}</div>
<pre style="${PRE}">${v.transcript === '' ? '<i>no record: the connection failed or the host was not probed from here</i>' : esc(v.transcript)}</pre>
</div>`;
    })
    .join('\n');
  return `<section class="vantage-host" data-host="${esc(h.host)}" data-port="${h.port}">
<h3><code>${esc(h.host)}</code> port ${h.port}</h3>
<div style="display:grid;grid-template-columns:repeat(${h.views.length},minmax(0,1fr));gap:8px">${columns}</div>
</section>`;
}

export function renderVantageSection(campaign: string, s: VantageSection): string {
  const shown = s.pathDependent.length;
  return [
    `<section id="vantages">`,
    `<h2>Vantage points: ${esc(campaign)}</h2>`,
    `<p class="muted">Each host's latest observation from each vantage point (${esc(s.vantages.join(', '))}).
<b>path-dependent</b>: TLS negotiated from some vantage points, and STARTTLS absent, masked, refused or failing from
others — the evidence one vantage point cannot give. <b>consistent</b>: the same outcome everywhere (a different
certificate does not count). <b>inconclusive</b>: some vantage point got no answer to the STARTTLS question (no
connection, no banner, a timeout, a refused greeting), or the answers differ and none negotiated TLS.</p>`,
    simpleTable(
      ['Verdict', 'Hosts'],
      s.verdicts.map((v) => [esc(v.verdict), num(v.hosts)]),
      [1],
      '24em',
    ),
    `<h3>What each vantage point reached</h3>`,
    simpleTable(
      ['Vantage', 'Addresses tried', 'Connected', 'Unreachable', 'No banner', 'Timed out after the banner'],
      s.reach.map((r) => [
        esc(r.vantage),
        num(r.attempted),
        num(r.responsive),
        num(r.unreachable),
        num(r.noBanner),
        num(r.timeouts),
      ]),
      [1, 2, 3, 4, 5],
    ),
    `<h3>Path-dependent hosts (${shown < s.pathDependentTotal ? `first ${shown} of ${num(s.pathDependentTotal)}` : num(shown)})</h3>`,
    shown === 0 ? '<p class="muted">None.</p>' : s.pathDependent.map(hostBlock).join('\n'),
    `</section>`,
  ].join('\n');
}
