// One self-contained HTML page of an audit or a single report, to forward to
// people who do not read JSON: no fetches, no external scripts or fonts, so it
// works from disk and as an e-mail attachment, on a phone and on paper. Every
// text from the network is escaped, and a Content-Security-Policy lets only
// this page's own style and script run, so markup a server slipped into a
// banner or TXT record stays text even if an escape were ever missed.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { causes, SEVERITIES, SIDES, type CauseId, type Severity, type Side } from '../causes.js';
import type { ComparisonSummary, Report } from '../report/schema.js';
import { standingOf, STANDINGS, type Standing } from '../report/standing.js';
import { CHANGE_LABEL, CHANGE_ORDER, changeCounts, describeChanges } from './changes.js';
import { checkDetail } from './human.js';
import { cleanLine } from './sanitize.js';
import { SEVERITY_LABEL, SIDE_LABEL, STATUS_LABEL, verdictLine } from './words.js';

export interface HtmlDocumentInput {
  /** In the order to show them; each may carry its `changes` (--compare). */
  reports: readonly Report[];
  comparison?: ComparisonSummary;
  /** Invalid list lines skipped by an audit. */
  skipped?: number;
  interrupted?: boolean;
}

type Entry = Report['diagnosis'][number];

/** A target's standing (src/report/standing.ts) in the table and the counts. */
const VERDICT_LABEL: Record<Standing, string> = { error: 'problem', warning: 'at risk', incomplete: 'incomplete', info: 'notes only', ok: 'OK' };

const SIDE_SHORT: Record<Side, string> = { recipient: 'receiving domain', sender: 'sender', network: 'network in between', local: 'this machine' };
const TOP_CAUSES = 10;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute: control characters dropped, markup escaped. */
export const escapeHtml = (text: string): string => cleanLine(text).replace(/[&<>"']/g, c => ENTITIES[c]!);

export function renderHtmlDocument(input: HtmlDocumentInput): string {
  const { reports } = input;
  const audit = reports.length !== 1;
  const title = audit ? `maildiag audit: ${reports.length} targets` : `maildiag: ${reports[0]!.target}`;
  const body = [
    header(input, title),
    input.comparison ? changesSection(input.comparison, reports) : '',
    audit ? summarySection(reports) : '',
    audit ? targetsSection(reports, Boolean(input.comparison)) : '',
    `<section id="diagnoses"><h2>${audit ? 'Diagnosis per target' : 'Diagnosis'}</h2>\n${reports.map(targetArticle).join('\n')}\n</section>`,
  ].filter(Boolean).join('\n');
  const policy = `default-src 'none'; style-src ${hashSource(STYLE)}; script-src ${hashSource(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** A CSP source that allows exactly this inline text. */
const hashSource = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function header(input: HtmlDocumentInput, title: string): string {
  const { reports } = input;
  const started = reports.map(r => r.startedAt).sort()[0];
  const facts = [
    `${reports.length} target${reports.length === 1 ? '' : 's'} diagnosed`,
    ...(input.skipped ? [`${input.skipped} invalid list line${input.skipped === 1 ? '' : 's'} skipped`] : []),
    ...(input.interrupted ? ['interrupted: not every target was diagnosed'] : []),
    ...(started ? [`started ${started.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`] : []),
    `maildiag ${reports[0]?.tool.version ?? ''}`.trim(),
  ];
  return `<header><h1>${escapeHtml(title)}</h1><p class="meta">${facts.map(escapeHtml).join(' · ')}</p></header>`;
}

function changesSection(summary: ComparisonSummary, reports: readonly Report[]): string {
  const indexed = reports.map((report, index) => ({ report, index }));
  const changed = CHANGE_ORDER.flatMap(status => indexed.filter(({ report }) => report.changes?.status === status));
  const rows = [
    ...changed.map(({ report: r, index }) => `<tr class="change-${r.changes!.status}"><td>${targetLink(r, index)}</td><td>${escapeHtml(CHANGE_LABEL[r.changes!.status])}</td><td>${escapeHtml(describeChanges(r.changes!))}</td></tr>`),
    ...summary.removed.map(r => `<tr class="change-removed"><td>${escapeHtml(r.target)}</td><td>removed</td><td>no longer in the list (was ${escapeHtml(VERDICT_LABEL[r.verdict])})</td></tr>`),
  ];
  const table = rows.length
    ? `<div class="scroll"><table><thead><tr><th scope="col">Target</th><th scope="col">Change</th><th scope="col">What changed</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`
    : '<p>Nothing changed.</p>';
  // The file's name, not where it sat on the machine that ran the audit: the page is forwarded.
  return `<section id="changes"><h2>Changes since ${escapeHtml(basename(summary.baseline))}</h2><p class="lead">${escapeHtml(changeCounts(summary))}</p>\n${table}\n</section>`;
}

function summarySection(reports: readonly Report[]): string {
  const problems = reports.flatMap(r => r.diagnosis.filter(d => d.severity !== 'info'));
  const byVerdict = STANDINGS.map(v => [VERDICT_LABEL[v], reports.filter(r => standingOf(r) === v).length, `v-${v}`] as const);
  const bySeverity = SEVERITIES.map(s => [SEVERITY_LABEL[s].toLowerCase(), reports.reduce((n, r) => n + r.diagnosis.filter(d => d.severity === s).length, 0), `v-${s}`] as const);
  const bySide = SIDES.map(s => [SIDE_SHORT[s], problems.filter(d => d.side === s).length, ''] as const);
  return `<section id="summary"><h2>Summary</h2>
<div class="counts">${countList('Targets by verdict', byVerdict)}${countList('Causes by severity', bySeverity)}${countList('Problems by who fixes them', bySide)}</div>
${causeChart(reports)}
</section>`;
}

function countList(heading: string, rows: readonly (readonly [string, number, string])[]): string {
  const items = rows.map(([label, n, cls]) => `<div${cls ? ` class="${cls}"` : ''}><dt>${escapeHtml(label)}</dt><dd>${n}</dd></div>`).join('');
  return `<div class="count"><h3>${escapeHtml(heading)}</h3><dl>${items}</dl></div>`;
}

/** Bars of the warnings and errors seen most often, one count per target, so a fleet's common problem stands out. */
function causeChart(reports: readonly Report[]): string {
  const counts = new Map<CauseId, { n: number; severity: Severity }>();
  for (const r of reports) {
    for (const d of r.diagnosis.filter(e => e.severity !== 'info')) {
      const seen = counts.get(d.cause);
      counts.set(d.cause, { n: (seen?.n ?? 0) + 1, severity: seen?.severity === 'error' ? 'error' : d.severity });
    }
  }
  const top = [...counts].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0])).slice(0, TOP_CAUSES);
  if (!top.length) return '<p>No target has a warning or an error.</p>';
  // Each label above its bar: narrow enough to stay legible when a phone scales the chart down.
  const row = 40;
  const barWidth = 300;
  const max = top[0]![1].n;
  const bars = top.map(([id, { n, severity }], i) => {
    const y = i * row;
    const width = Math.max(2, Math.round((n / max) * barWidth));
    const label = causes[id].title.length > 52 ? `${causes[id].title.slice(0, 51)}…` : causes[id].title;
    return `<g><title>${escapeHtml(`${causes[id].title} (${id}): ${n} target${n === 1 ? '' : 's'}`)}</title><text x="0" y="${y + 13}">${escapeHtml(label)}</text><rect class="bar-${severity}" x="0" y="${y + 18}" width="${width}" height="14"/><text x="${width + 6}" y="${y + 30}">${n}</text></g>`;
  });
  const height = top.length * row;
  return `<figure><figcaption>Most common causes (targets affected)</figcaption><svg class="chart" viewBox="0 0 ${barWidth + 60} ${height}" role="img" aria-label="Most common causes, by the number of targets affected">${bars.join('')}</svg></figure>`;
}

function targetsSection(reports: readonly Report[], compared: boolean): string {
  const headings = ['Target', 'Verdict', 'Top cause', 'Who fixes it', 'Problems', ...(compared ? ['Change'] : [])];
  const head = headings.map(h => `<th scope="col"><button type="button">${h}</button></th>`).join('');
  const rows = reports.map((r, i) => {
    const top = r.diagnosis[0];
    const cells = [
      `<td>${targetLink(r, i)}</td>`,
      `<td data-sort="${STANDINGS.indexOf(standingOf(r))}" class="v-${standingOf(r)}">${escapeHtml(VERDICT_LABEL[standingOf(r)])}</td>`,
      `<td>${top ? `${escapeHtml(top.title)} <code>${escapeHtml(top.cause)}</code>` : 'nothing found'}</td>`,
      `<td>${top ? escapeHtml(SIDE_SHORT[top.side]) : '–'}</td>`,
      `<td data-sort="${r.diagnosis.filter(d => d.severity !== 'info').length}">${r.diagnosis.filter(d => d.severity !== 'info').length}</td>`,
      ...(compared ? [`<td data-sort="${changeRank(r)}">${r.changes ? escapeHtml(CHANGE_LABEL[r.changes.status]) : ''}</td>`] : []),
    ];
    return `<tr data-verdict="${standingOf(r)}">${cells.join('')}</tr>`;
  });
  const options = STANDINGS.map(v => `<option value="${v}">${escapeHtml(VERDICT_LABEL[v])}</option>`).join('');
  return `<section id="targets"><h2>Targets</h2>
<div class="controls" hidden><label>Filter <input type="search" id="filter" placeholder="name, cause, side…"></label> <label>Verdict <select id="verdict-filter"><option value="">any</option>${options}</select></label> <span id="shown" aria-live="polite"></span></div>
<div class="scroll"><table id="targets-table"><thead><tr>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>
</section>`;
}

/** Where a target sorts by its change: what needs attention first, unchanged last. */
function changeRank(report: Report): number {
  const rank = report.changes ? CHANGE_ORDER.indexOf(report.changes.status) : -1;
  return rank < 0 ? CHANGE_ORDER.length : rank;
}

/** A link to the target's diagnosis further down. */
function targetLink(report: Report, index: number): string {
  return `<a href="#t-${index}">${escapeHtml(report.target)}</a>`;
}

function targetArticle(report: Report, index: number): string {
  const name = report.target === report.ascii ? report.target : `${report.target} (${report.ascii})`;
  const changes = report.changes ? `<p class="change change-${report.changes.status}">Since the last run: ${escapeHtml(CHANGE_LABEL[report.changes.status])}: ${escapeHtml(describeChanges(report.changes))}</p>` : '';
  const diagnosis = report.diagnosis.length ? `<ol class="diagnosis">\n${report.diagnosis.map(diagnosisItem).join('\n')}\n</ol>` : '';
  return `<article id="t-${index}"><h3>${escapeHtml(name)}</h3><p class="verdict v-${standingOf(report)}">${escapeHtml(verdictLine(report))}</p>${changes}
${diagnosis}${checksTable(report)}</article>`;
}

function diagnosisItem(entry: Entry): string {
  const messages = entry.messages.length ? `<ul>${entry.messages.map(m => `<li>${escapeHtml(m)}</li>`).join('')}</ul>` : '';
  const evidence = entry.evidence.length ? `<ul class="evidence">${entry.evidence.map(e => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul>` : '';
  const explains = entry.explains.length ? `<p>Also explains: ${entry.explains.map(e => `<code>${escapeHtml(e)}</code>`).join(', ')}</p>` : '';
  return `<li class="sev-${entry.severity}"><p class="cause"><span class="badge v-${entry.severity}">${SEVERITY_LABEL[entry.severity]}</span> <strong>${escapeHtml(entry.title)}</strong> <code>${escapeHtml(entry.cause)}</code></p>${messages}
<p><b>Who fixes it:</b> ${escapeHtml(SIDE_LABEL[entry.side])}</p><p><b>Fix:</b> ${escapeHtml(entry.fix)}</p>${explains}
<details><summary>Why, and the evidence${entry.evidence.length ? ` (${entry.evidence.length})` : ''}</summary><p>${escapeHtml(entry.explanation)}</p>${evidence}</details></li>`;
}

/** The checks that ran (a single report; an audit's HTML keeps only the diagnoses). */
function checksTable(report: Report): string {
  if (!report.checks.length) return '';
  const rows = report.checks.map(c => `<tr><td>${STATUS_LABEL[c.status]}</td><td>${escapeHtml(c.title)}</td><td>${escapeHtml(checkDetail(c))}</td></tr>`).join('\n');
  return `<details class="checks"><summary>Checks (${report.checks.length})</summary><div class="scroll"><table><thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Detail</th></tr></thead><tbody>
${rows}
</tbody></table></div></details>`;
}

const STYLE = `
:root{color-scheme:light;--error:#b00020;--warning:#8a5300;--info:#0b57d0;--ok:#1e7b34;--line:#d0d4da;--soft:#f3f5f8}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff}
main{max-width:62rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin:2rem 0 .6rem;border-bottom:2px solid var(--line)}h3{font-size:1.1rem;margin:.4rem 0}
.meta{color:#555;margin:0}.lead{font-size:1.1rem;font-weight:600}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.v-error{color:var(--error)}.v-warning,.v-incomplete{color:var(--warning)}.v-info{color:var(--info)}.v-ok{color:var(--ok)}
.counts{display:flex;flex-wrap:wrap;gap:1rem}.count{flex:1 1 14rem;border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem}
.count dl{margin:0}.count dl div{display:flex;justify-content:space-between;border-bottom:1px dotted var(--line)}.count dt,.count dd{margin:0}.count dd{font-weight:700}
figure{margin:1rem 0}figcaption{font-weight:600}.chart{width:100%;max-width:24rem;height:auto;font-size:13px}.chart text{fill:#1b1f24}
.bar-error{fill:var(--error)}.bar-warning{fill:var(--warning)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}th{white-space:nowrap}
th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.controls{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center;margin:.5rem 0}.controls input,.controls select{font:inherit;padding:.2rem .4rem}
.change-worse td:nth-child(2),.change-worse.change{color:var(--error);font-weight:700}.change-incomplete td:nth-child(2),.change-incomplete.change{color:var(--warning);font-weight:700}.change-better td:nth-child(2),.change-better.change{color:var(--ok)}
article{border-top:1px solid var(--line);padding:.6rem 0;content-visibility:auto;contain-intrinsic-size:auto 16rem}.verdict{font-weight:700;margin:.2rem 0}
.diagnosis{padding-left:1.4rem}.diagnosis>li{margin:.6rem 0}.diagnosis p{margin:.2rem 0}.cause{overflow-wrap:anywhere}
.badge{font-size:.75rem;font-weight:700;border:1px solid currentColor;border-radius:3px;padding:0 .3em}
details{margin:.3rem 0}summary{cursor:pointer;color:#333}.evidence{font-size:.9rem}
@media (max-width:40rem){main{padding:.6rem}body{font-size:15px}th,td{padding:.3rem}}
@media print{.controls{display:none}article{content-visibility:visible}a{color:inherit;text-decoration:none}article{break-inside:avoid-page}main{max-width:none}}
`;

// Sorting and filtering of the targets table, and the evidence opened for
// print (the checks tables stay shut: paper is for the diagnosis). Without
// script (a mail client may block it) the page reads the same.
const SCRIPT = `
(() => {
  addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('details:not(.checks)')) d.open = true; });
  const table = document.getElementById('targets-table');
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const text = new Map(rows.map(row => [row, row.textContent.toLowerCase()]));
  const filter = document.getElementById('filter');
  const verdict = document.getElementById('verdict-filter');
  const shown = document.getElementById('shown');
  const apply = () => {
    const words = filter.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      row.hidden = (words !== '' && !text.get(row).includes(words)) || (verdict.value !== '' && row.dataset.verdict !== verdict.value);
      if (!row.hidden) count++;
    }
    shown.textContent = count + ' of ' + rows.length + ' targets shown';
  };
  filter.addEventListener('input', apply);
  verdict.addEventListener('change', apply);
  const headers = Array.from(table.tHead.rows[0].cells);
  const collator = new Intl.Collator('en', { numeric: true });
  headers.forEach((header, column) => header.querySelector('button').addEventListener('click', () => {
    const ascending = header.getAttribute('aria-sort') !== 'ascending';
    for (const h of headers) h.removeAttribute('aria-sort');
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const keys = new Map(rows.map(row => [row, row.cells[column].dataset.sort ?? row.cells[column].textContent.trim().toLowerCase()]));
    rows.sort((a, b) => collator.compare(keys.get(a), keys.get(b)) * (ascending ? 1 : -1));
    body.append(...rows);
  }));
  apply();
  table.closest('section').querySelector('.controls').hidden = false;
})();
`;
