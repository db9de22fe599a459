/**
 * A Markdown summary for pasting into papers and issues: the verdict table, then one table per
 * criterion with the numbers a methods section cites (means, medians, intervals, adjusted p-values),
 * and a provenance line. Dataset-derived strings are escaped so they cannot break a table.
 */
import { criterionTitle, decidingNumbers, formatInterval, formatNumber, formatP, verdictWord } from './format.js';
import { methodLabel } from './methods.js';
import type { ConsistencyView, ReportInput } from './types.js';

/** Escapes text for a Markdown table cell: pipes, backslashes, inline markup, HTML and line breaks. */
export function escapeMarkdown(value: unknown): string {
  return String(value)
    .replace(/[\\`*_[\]{}<>|#!~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head.map(escapeMarkdown)), line(head.map(() => '---')), ...rows.map((r) => line(r.map(escapeMarkdown)))].join('\n');
}

function consistencyTable(c: ConsistencyView): string {
  const ref = c.reference;
  const rows = [
    ...(ref ? [[`${methodLabel(ref.method)} (reference)`, formatNumber(ref.summary.mean), formatInterval(ref.summary.ci), formatNumber(ref.summary.median), '', '', '']] : []),
    ...c.methods.map((m) => [
      methodLabel(m.method),
      formatNumber(m.summary.mean),
      formatInterval(m.summary.ci),
      formatNumber(m.summary.median),
      formatP(m.weak.adjustedPValue),
      formatP(m.strong?.adjustedPValue),
      verdictWord(m.pass),
    ]),
  ];
  return [
    `### ${criterionTitle(c.criterion)} (per-image SSIM, n = ${c.images})`,
    '',
    mdTable(['Method', 'Mean', 'CI', 'Median', `p (> ${c.threshold})`, 'p (below reference)', 'Verdict'], rows),
    '',
    `Rule: ${escapeMarkdown(c.ruleText)}`,
  ].join('\n');
}

/** The summary as Markdown (GitHub-flavoured tables), deterministic for the same input. */
export function renderMarkdownSummary(input: ReportInput): string {
  const t = input.verdicts;
  const out: string[] = [`## ${escapeMarkdown(input.title ? `heatcheck: ${input.title}` : 'heatcheck summary')}`, ''];
  out.push(
    mdTable(
      ['Method', ...t.criteria.map(criterionTitle)],
      t.methods.map((m) => [
        methodLabel(m),
        ...t.criteria.map((c) => {
          const v = t.verdicts.find((x) => x.method === m && x.criterion === c);
          return v ? `${verdictWord(v.pass)} (${decidingNumbers(v)})` : 'not run';
        }),
      ]),
    ),
    '',
    `${t.failedAny.length} of ${t.methods.length} methods failed at least one criterion.`,
  );
  const u = input.utility;
  if (u) {
    const baseline = (label: string, s: { auprc: { mean: number; median: number; ci: { lower: number; upper: number; confidence: number } | null } }) => [
      label,
      formatNumber(s.auprc.mean),
      formatInterval(s.auprc.ci),
      formatNumber(s.auprc.median),
      '',
      '',
      '',
    ];
    out.push(
      '',
      `### Utility (per-image AUPRC, n = ${u.images})`,
      '',
      mdTable(['Method', 'Mean', 'CI', 'Median', 'Randomized mean', `p (${methodLabel(u.network.method)} better)`, 'Verdict'], [
        ...(u.prior ? [baseline(`${methodLabel(u.prior.method)} (baseline)`, u.prior.summary)] : []),
        baseline(`${methodLabel(u.network.method)} (baseline)`, u.network.summary),
        ...u.methods.map((m) => [
          methodLabel(m.method),
          formatNumber(m.trained.auprc.mean),
          formatInterval(m.trained.auprc.ci),
          formatNumber(m.trained.auprc.median),
          formatNumber(m.randomized?.auprc.mean),
          formatP(m.vsNetwork.adjustedPValue),
          verdictWord(m.pass),
        ]),
      ]),
      '',
      `Rule: ${escapeMarkdown(u.ruleText)}`,
    );
  }
  const r = input.randomization;
  if (r) {
    out.push(
      '',
      '### Randomization (SSIM with the original map)',
      '',
      mdTable(
        ['Method', 'Baseline', 'First state below', 'Minimum', 'p (below baseline)', 'Verdict'],
        r.methods.map((m) => [
          methodLabel(m.method),
          formatNumber(m.baseline.value),
          m.paperRule.firstStateBelow ?? 'never',
          `${formatNumber(m.paperRule.minimum)} (${m.paperRule.minimumState})`,
          formatP(m.test.adjustedPValue),
          verdictWord(m.pass),
        ]),
      ),
      '',
      `Rule: ${escapeMarkdown(r.ruleText)}`,
    );
  }
  for (const c of [input.repeatability, input.reproducibility]) if (c) out.push('', consistencyTable(c));
  const p = input.provenance;
  out.push('', `_${escapeMarkdown(`${p.tool.name} ${p.tool.version}, preset ${p.preset}; p-values one-sided, adjusted across methods.`)}_`, '');
  return out.join('\n');
}
