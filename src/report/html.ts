/**
 * The self-contained HTML report: one string with inline CSS, inline SVG charts and base64 PNG
 * thumbnails, no scripts and no external references (a Content-Security-Policy forbids any load but
 * `data:` images). Sections, in order: verdicts, utility, randomization, repeatability and
 * reproducibility, examples, provenance. Every string from the dataset or config is escaped.
 */
import type { ColormapName } from '../imaging/colormap.js';
import { renderReportCharts, reportChartSpecs, type ChartSvg } from './charts.js';
import { criterionTitle, decidingNumbers, escapeHtml as esc, flattenOptions, formatInterval, formatNumber, formatP, verdictWord } from './format.js';
import { methodLabel } from './methods.js';
import { thumbnailDataUrl } from './thumbnails.js';
import type { ConsistencyView, ExampleMap, ReportInput, ReportLimits, SummaryView, TestView } from './types.js';

/** Default caps on the report's size (see docs/report.md). */
export const reportLimitDefaults: ReportLimits = Object.freeze({
  utilityExamples: 3,
  degradationExamples: 2,
  consistencyExamples: 2,
  mapsPerRow: 12,
  thumbnailSize: 160,
  thumbnailFormat: 'jpeg',
  jpegQuality: 85,
  warnings: 200,
});

/** The sections of the report, in order: id and heading. */
export const reportSections = Object.freeze([
  { id: 'verdicts', title: 'Verdicts' },
  { id: 'utility', title: 'Localization utility' },
  { id: 'randomization', title: 'Sensitivity to model-weight randomization' },
  { id: 'consistency', title: 'Repeatability and reproducibility' },
  { id: 'examples', title: 'Examples' },
  { id: 'provenance', title: 'Provenance' },
] as const);

const css = `
:root{color-scheme:light}
body{font-family:Helvetica,Arial,sans-serif;color:#111;background:#fff;margin:0 auto;max-width:1200px;padding:0 1.2rem 3rem;line-height:1.4}
h1{font-size:1.6rem;margin:1.2rem 0 .2rem}h2{font-size:1.3rem;border-bottom:2px solid #333;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
nav ol{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;padding:0;list-style:none}nav a{color:#0645ad}
table{border-collapse:collapse;margin:.5rem 0;font-size:.86rem}th,td{border:1px solid #999;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{background:#dff0d8;color:#1e4620}.fail{background:#f8d7da;color:#6b1016}.na{background:#f2f2f2;color:#444}
.verdict b{display:block;letter-spacing:.04em}.verdict small{display:block;color:#333;font-size:.78rem}
.rule{font-size:.85rem;color:#222}.note{font-size:.85rem;color:#444}
figure{margin:.8rem 0;break-inside:avoid}figcaption{font-size:.85rem;color:#333;max-width:60rem}
.chart svg{max-width:100%;height:auto}
.grid{display:flex;flex-wrap:wrap;gap:.4rem;margin:.3rem 0 1rem}.tile{margin:0;text-align:center;font-size:.75rem;break-inside:avoid}.tile img{display:block;border:1px solid #777}
.row-label{writing-mode:vertical-rl;transform:rotate(180deg);font-size:.75rem;align-self:center}
details>summary{cursor:pointer;color:#0645ad}code{font-size:.85em}
@media print{body{max-width:none;padding:0}nav{display:none}h2{break-after:avoid}table,figure,.grid{break-inside:avoid}
.pass,.fail,.na,th,.tile img{-webkit-print-color-adjust:exact;print-color-adjust:exact}details{display:block}details>summary{display:none}a{color:inherit;text-decoration:none}}
`;

const cellClass = (pass: boolean | null | undefined): string => (pass === true ? 'pass' : pass === false ? 'fail' : 'na');

function table(head: readonly string[], rows: readonly string[][], caption?: string): string {
  const cap = caption ? `<caption class="note">${esc(caption)}</caption>` : '';
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n');
  return `<table>${cap}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const td = (text: string): string => `<td>${esc(text)}</td>`;
const tdNum = (text: string): string => `<td class="num">${esc(text)}</td>`;
const thRow = (text: string): string => `<th scope="row">${esc(text)}</th>`;
const verdictTd = (pass: boolean | null | undefined): string => `<td class="${cellClass(pass)}">${verdictWord(pass)}</td>`;

function figure(chart: ChartSvg | undefined, missing: string): string {
  if (!chart) return `<p class="note">${esc(missing)}</p>`;
  // The SVG comes from vega, which escapes the data it draws; it is embedded as is.
  return `<figure class="chart" id="${esc(chart.id)}" role="group" aria-label="${esc(chart.title)}">${chart.svg}<figcaption><strong>${esc(chart.title)}.</strong> ${esc(chart.description)}</figcaption></figure>`;
}

function verdictSection(input: ReportInput): string {
  const t = input.verdicts;
  const rows = t.methods.map((m) => [
    thRow(methodLabel(m) === m ? m : `${methodLabel(m)} (${m})`),
    ...t.criteria.map((c) => {
      const v = t.verdicts.find((x) => x.method === m && x.criterion === c);
      if (!v) return '<td class="na">not run</td>';
      return `<td class="verdict ${cellClass(v.pass)}" title="${esc(v.reason)}"><b>${verdictWord(v.pass)}</b><small>${esc(decidingNumbers(v))}</small></td>`;
    }),
  ]);
  const rules = t.criteria.map((c) => {
    const v = t.verdicts.find((x) => x.criterion === c);
    return v ? `<li><strong>${esc(criterionTitle(c))}</strong> (<code>${esc(v.rule)}</code>): ${esc(v.ruleText)}</li>` : '';
  });
  const reasons = t.verdicts.map((v) => `<li>${esc(methodLabel(v.method))}, ${esc(v.criterion)}: ${verdictWord(v.pass)}. ${esc(v.reason)}</li>`);
  const summary =
    t.methods.length === 0
      ? 'No criteria results.'
      : `${t.failedAny.length} of ${t.methods.length} methods failed at least one criterion` +
        (t.failedAny.length ? ` (${t.failedAny.map(methodLabel).join(', ')})` : '') +
        `; ${t.passedAll.length} passed every criterion evaluated` +
        (t.passedAll.length ? ` (${t.passedAll.map(methodLabel).join(', ')})` : '') +
        '.';
  return [
    `<p><strong>${esc(summary)}</strong></p>`,
    table(['Method', ...t.criteria.map(criterionTitle)], rows, 'Each cell: the verdict and the numbers that decided it (p-values adjusted across methods).'),
    `<h3>Rules</h3><ul class="rule">${rules.join('')}</ul>`,
    `<details><summary>Every verdict with its reason</summary><ul class="rule">${reasons.join('')}</ul></details>`,
  ].join('\n');
}

function summaryCells(s: SummaryView | null | undefined): string[] {
  if (!s) return [tdNum('–'), tdNum('–'), tdNum('–'), tdNum('–')];
  return [tdNum(String(s.n) + (s.excluded ? ` (+${s.excluded} excl.)` : '')), tdNum(formatNumber(s.mean)), tdNum(formatInterval(s.ci)), tdNum(formatNumber(s.median))];
}

const pCell = (t: TestView | null | undefined): string => tdNum(t ? formatP(t.adjustedPValue) : '–');

function utilitySection(input: ReportInput, charts: readonly ChartSvg[]): string {
  const u = input.utility;
  if (!u) return '<p class="note">Utility was not evaluated.</p>';
  const net = methodLabel(u.network.method);
  const prior = u.prior ? methodLabel(u.prior.method) : 'prior';
  const baselineRows = [
    ...(u.prior ? [[thRow(`${prior} (baseline)`), ...summaryCells(u.prior.summary.auprc), tdNum('–'), td(''), td(''), td(''), td('')]] : []),
    [thRow(`${net} (baseline)`), ...summaryCells(u.network.summary.auprc), tdNum('–'), td(''), td(''), td(''), td('')],
  ];
  const rows = u.methods.map((m) => [
    thRow(methodLabel(m.method)),
    ...summaryCells(m.trained.auprc),
    tdNum(formatNumber(m.randomized?.auprc.mean)),
    pCell(m.vsNetwork),
    pCell(m.vsRandomized),
    pCell(m.vsPrior),
    verdictTd(m.pass),
  ]);
  return [
    `<p class="rule"><strong>Rule</strong> (<code>${esc(u.rule)}</code>): ${esc(u.ruleText)}</p>`,
    figure(
      charts.find((c) => c.id === 'figure-2'),
      'No per-image AUPRC rows were given, so the box plots (Figure 2) are not drawn; the table has the summaries.',
    ),
    table(
      ['Method', 'Images', 'Mean AUPRC', 'CI of mean', 'Median', 'Randomized mean', `p: ${net} better`, 'p: trained > randomized', `p: > ${prior}`, 'Verdict'],
      [...baselineRows, ...rows],
      `Per-image AUPRC on ${u.images} images. p-values are one-sided and adjusted across methods; only the first decides (by the rule above).`,
    ),
  ].join('\n');
}

function randomizationSection(input: ReportInput, charts: readonly ChartSvg[]): string {
  const r = input.randomization;
  if (!r) return '<p class="note">Randomization was not evaluated.</p>';
  const rows = r.methods.map((m) => {
    const at = m.curve.find((p) => p.state === m.testState);
    return [
      thRow(methodLabel(m.method)),
      tdNum(`${formatNumber(m.baseline.value)} ± ${formatNumber(m.baseline.sd)}`),
      tdNum(String(m.baseline.pairs - m.baseline.excluded)),
      td(m.paperRule.firstStateBelow ?? 'never'),
      tdNum(`${formatNumber(m.paperRule.minimum)} (${m.paperRule.minimumState})`),
      tdNum(at ? `${formatNumber(at.mean)} ± ${formatNumber(at.sd)} (${m.testState})` : m.testState),
      pCell(m.test),
      verdictTd(m.pass),
    ];
  });
  const states: string[] = [];
  for (const m of r.methods) for (const p of m.curve) if (!states.includes(p.state)) states.push(p.state);
  const curveRows = r.methods.map((m) => [
    thRow(methodLabel(m.method)),
    ...states.map((s) => {
      const p = m.curve.find((x) => x.state === s);
      return tdNum(p ? `${formatNumber(p.mean)} ± ${formatNumber(p.sd)}` : '–');
    }),
  ]);
  return [
    `<p class="rule"><strong>Rule</strong> (<code>${esc(r.rule)}</code>): ${esc(r.ruleText)}</p>`,
    figure(charts.find((c) => c.id === 'figure-3'), 'No curves to draw.'),
    table(
      ['Method', 'Baseline SSIM ± SD', 'Baseline pairs', 'First state below baseline', 'Curve minimum', 'SSIM at test state', 'p: below baseline', 'Verdict'],
      rows,
      `SSIM with the original map; ± is the ${r.replicateSd} SD over replicates. p-values are one-sided and adjusted across methods.`,
    ),
    `<details><summary>Every point of the curves</summary>${table(['Method', ...states], curveRows)}</details>`,
  ].join('\n');
}

function consistencyTable(c: ConsistencyView): string {
  const ref = c.reference;
  const rows = [
    ...(ref ? [[thRow(`${methodLabel(ref.method)} (reference)`), ...summaryCells(ref.summary), td(''), td(''), td('')]] : []),
    ...c.methods.map((m) => [thRow(methodLabel(m.method)), ...summaryCells(m.summary), pCell(m.weak), pCell(m.strong), verdictTd(m.pass)]),
  ];
  return [
    `<h3>${esc(criterionTitle(c.criterion))}</h3>`,
    `<p class="rule"><strong>Rule</strong> (<code>${esc(c.rule)}</code>): ${esc(c.ruleText)}</p>`,
    table(
      ['Method', 'Images', 'Mean SSIM', 'CI of mean', 'Median', `p: > ${c.threshold}`, `p: below ${ref ? methodLabel(ref.method) : 'reference'}`, 'Verdict'],
      rows,
      `Per-image SSIM on ${c.images} images, averaged over model pairs. p-values are one-sided and adjusted across methods.`,
    ),
  ].join('\n');
}

function consistencySection(input: ReportInput, charts: readonly ChartSvg[]): string {
  const parts = [input.repeatability, input.reproducibility].filter((c): c is ConsistencyView => c !== undefined);
  if (parts.length === 0) return '<p class="note">Repeatability and reproducibility were not evaluated.</p>';
  return [
    figure(
      charts.find((c) => c.id === 'figure-4'),
      'No per-image SSIM rows were given, so the box plots (Figure 4) are not drawn; the tables have the summaries.',
    ),
    ...parts.map(consistencyTable),
  ].join('\n');
}

interface ExampleContext {
  readonly limits: ReportLimits;
  readonly colormap: ColormapName;
}

function tile(src: string, caption: string, alt: string): string {
  return `<figure class="tile"><img src="${src}" alt="${esc(alt)}"><figcaption>${esc(caption)}</figcaption></figure>`;
}

function capped<T>(items: readonly T[], cap: number): { shown: readonly T[]; dropped: number } {
  return { shown: items.slice(0, cap), dropped: Math.max(0, items.length - cap) };
}

function droppedNote(dropped: number, what: string): string {
  return dropped ? `<p class="note">${dropped} more ${esc(what)} not shown (report limit).</p>` : '';
}

function mapTiles(image: ExampleMap[] | readonly ExampleMap[], ctx: ExampleContext, render: (m: ExampleMap) => string): string {
  const { shown, dropped } = capped(image, ctx.limits.mapsPerRow);
  return shown.map(render).join('') + (dropped ? `<p class="note">${dropped} more maps not shown.</p>` : '');
}

function examplesSection(input: ReportInput, ctx: ExampleContext): string {
  const ex = input.examples ?? {};
  const opts = { size: ctx.limits.thumbnailSize, colormap: ctx.colormap, format: ctx.limits.thumbnailFormat, quality: ctx.limits.jpegQuality };
  const out: string[] = [
    `<p class="note">Maps in the ${esc(ctx.colormap)} colormap at 50% opacity over the X-ray; ground truth outlined in yellow. Image keys are pseudonymous.</p>`,
  ];
  const utility = capped(ex.utility ?? [], ctx.limits.utilityExamples);
  if (utility.shown.length) {
    out.push('<h3>Localization (Figure 2C/D)</h3>');
    for (const e of utility.shown) {
      const tiles = mapTiles(e.maps, ctx, (m) =>
        tile(
          thumbnailDataUrl(e.image, m.map, e.truth, opts),
          `${methodLabel(m.method)}${m.auprc !== undefined ? ` · AUPRC ${formatNumber(m.auprc)}` : ''}`,
          `${methodLabel(m.method)} map of image ${e.id} with the ground truth outlined${m.auprc !== undefined ? `, AUPRC ${formatNumber(m.auprc)}` : ''}`,
        ),
      );
      out.push(`<div class="grid" aria-label="${esc(`Image ${e.id}`)}">${tile(thumbnailDataUrl(e.image, null, e.truth, opts), `Image ${e.id}`, `X-ray ${e.id} with the ground truth outlined`)}${tiles}</div>`);
    }
    out.push(droppedNote(utility.dropped, 'localization examples'));
  }
  const degradation = capped(ex.degradation ?? [], ctx.limits.degradationExamples);
  if (degradation.shown.length) {
    out.push('<h3>Degradation under cascading randomization (Figure 3B)</h3>');
    for (const e of degradation.shown) {
      const states = capped(e.states, ctx.limits.mapsPerRow);
      const tiles = states.shown
        .map((s) => tile(thumbnailDataUrl(e.image, s.map, null, opts), s.state, `${methodLabel(e.method)} map of image ${e.id} at randomization state ${s.state}`))
        .join('');
      out.push(`<div class="grid" aria-label="${esc(`${methodLabel(e.method)} maps of image ${e.id} under randomization`)}"><span class="row-label">${esc(methodLabel(e.method))}</span>${tile(thumbnailDataUrl(e.image, null, null, opts), `Image ${e.id}`, `X-ray ${e.id}`)}${tiles}</div>`);
      out.push(droppedNote(states.dropped, 'states'));
    }
    out.push(droppedNote(degradation.dropped, 'degradation examples'));
  }
  const consistency = capped(ex.consistency ?? [], ctx.limits.consistencyExamples);
  if (consistency.shown.length) {
    out.push('<h3>Repeatability and reproducibility (Figure 4C/D)</h3>');
    for (const e of consistency.shown) {
      out.push(`<p class="note">Image ${esc(e.id)}: rows are models, columns methods.</p>`);
      for (const row of e.rows) {
        const tiles = mapTiles(row.maps, ctx, (m) =>
          tile(thumbnailDataUrl(e.image, m.map, null, opts), methodLabel(m.method), `${methodLabel(m.method)} map of image ${e.id} from ${row.model}`),
        );
        out.push(`<div class="grid" aria-label="${esc(`Maps of image ${e.id} from ${row.model}`)}"><span class="row-label">${esc(row.model)}</span>${tiles}</div>`);
      }
    }
    out.push(droppedNote(consistency.dropped, 'consistency examples'));
  }
  if (out.length === 1) return '<p class="note">No examples were given.</p>';
  return out.join('\n');
}

function keyValueTable(record: Readonly<Record<string, unknown>> | undefined, head: [string, string]): string {
  const entries = Object.entries(record ?? {});
  if (entries.length === 0) return '<p class="note">None recorded.</p>';
  return table(
    head,
    entries.map(([k, v]) => [thRow(k), td(v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v))]),
  );
}

function provenanceSection(input: ReportInput, limits: ReportLimits, chartWarnings: readonly string[]): string {
  const p = input.provenance;
  const options = flattenOptions(p.config);
  const optionRows = options.map(([path, value]) => [thRow(path), td(value), td(p.sources?.[path] ?? '')]);
  const warnings = [...(p.warnings ?? []), ...chartWarnings.map((w) => `chart: ${w}`)];
  const shownWarnings = capped(warnings, limits.warnings);
  const models = (p.models ?? []).map((card, i) => `<h4>Model ${i + 1}${typeof card['id'] === 'string' ? `: ${esc(card['id'])}` : ''}</h4>${keyValueTable(card, ['Field', 'Value'])}`);
  return [
    table(
      ['Field', 'Value'],
      [
        [thRow('Tool'), td(`${p.tool.name} ${p.tool.version}`)],
        [thRow('Preset'), td(p.preset)],
        [thRow('Config file'), td(p.configFile === undefined ? 'not recorded' : (p.configFile ?? 'none (built-in demo config or a library call)'))],
        ...(p.generatedAt ? [[thRow('Generated'), td(p.generatedAt)]] : []),
      ],
    ),
    '<h3>Dataset</h3>',
    keyValueTable(p.dataset, ['Field', 'Value']),
    '<h3>Seeds</h3>',
    keyValueTable(p.seeds, ['Seed', 'Value']),
    '<h3>Versions</h3>',
    keyValueTable(p.versions, ['Component', 'Version']),
    '<h3>Models</h3>',
    models.length ? models.join('\n') : '<p class="note">No model cards recorded.</p>',
    '<h3>Inputs</h3>',
    keyValueTable(p.inputs, ['Input', 'Hash']),
    `<h3>Resolved options (${options.length})</h3>`,
    options.length ? `<details open><summary>Every resolved option</summary>${table(['Option', 'Value', 'Source'], optionRows)}</details>` : '<p class="note">None recorded.</p>',
    `<h3>Warnings (${warnings.length})</h3>`,
    shownWarnings.shown.length ? `<ul>${shownWarnings.shown.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '<p class="note">None.</p>',
    droppedNote(shownWarnings.dropped, 'warnings'),
    '<h3>About this report</h3>',
    `<p class="note">Self-contained: no scripts, no network, no external files. At most ${limits.utilityExamples} localization, ${limits.degradationExamples} degradation and ${limits.consistencyExamples} consistency examples, ${limits.mapsPerRow} maps per row, thumbnails at most ${limits.thumbnailSize} px (${limits.thumbnailFormat === 'png' ? 'RGB PNG' : `JPEG quality ${limits.jpegQuality}`}). Image keys are pseudonymous; no patient identifiers are shown.</p>`,
  ].join('\n');
}

/**
 * Renders the report as one self-contained HTML string from the criteria results, per-image rows,
 * example images and maps, and provenance, with the charts already rendered by `renderReportCharts`
 * (a figure whose chart is not given is replaced by a note). Pure and synchronous: the same input and
 * charts give the same string.
 */
export function renderReport(input: ReportInput, charts: readonly ChartSvg[] = []): string {
  const limits: ReportLimits = { ...reportLimitDefaults, ...input.limits };
  const ctx: ExampleContext = { limits, colormap: input.colormap ?? 'plasma' };
  const title = input.title ? `heatcheck report: ${input.title}` : 'heatcheck report';
  const bodies: Record<(typeof reportSections)[number]['id'], string> = {
    verdicts: verdictSection(input),
    utility: utilitySection(input, charts),
    randomization: randomizationSection(input, charts),
    consistency: consistencySection(input, charts),
    examples: examplesSection(input, ctx),
    provenance: provenanceSection(
      input,
      limits,
      charts.flatMap((c) => c.warnings),
    ),
  };
  const nav = `<nav aria-label="Sections"><ol>${reportSections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`).join('')}</ol></nav>`;
  const sections = reportSections.map((s) => `<section id="${s.id}" aria-labelledby="${s.id}-h">\n<h2 id="${s.id}-h">${esc(s.title)}</h2>\n${bodies[s.id]}\n</section>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<meta name="generator" content="${esc(`${input.provenance.tool.name} ${input.provenance.tool.version}`)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${esc(title)}</h1>`,
    `<p class="note">Trustworthiness of saliency maps by the criteria of Arun et al., Radiology: Artificial Intelligence 2021 (doi:10.1148/ryai.2021200267). Preset <code>${esc(input.provenance.preset)}</code>.</p>`,
    '</header>',
    nav,
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Renders the charts and then the report: `renderReport(input, await renderReportCharts(input))`. */
export async function buildReport(input: ReportInput): Promise<string> {
  return renderReport(input, await renderReportCharts(input));
}

/** Ids of the figures the input has data for (what `renderReportCharts` will draw). */
export function reportFigureIds(input: ReportInput): string[] {
  return reportChartSpecs(input).map((s) => s.id);
}
