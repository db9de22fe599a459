import { describe, expect, it } from 'vitest';
import type { ReportInput } from '../../src/report/index.js';
import { buildReport, renderMarkdownSummary, renderReport, reportSections } from '../../src/report/index.js';
import { fixtureInput } from './fixture.js';

const hostile = '<img src=x onerror=alert(1)>"\'&';

// The outline of a page: headings (level and text) and section ids, with tags and numbers left out.
function structure(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<(h[1-4])[^>]*>([\s\S]*?)<\/\1>|<section id="([^"]+)"|<(figure) class="chart" id="([^"]+)"|<(table)>/g)) {
    if (m[1]) out.push(`${m[1]} ${m[2]!.replace(/<[^>]+>/g, '')}`);
    else if (m[3]) out.push(`section#${m[3]}`);
    else if (m[4]) out.push(`chart#${m[5]}`);
    else if (m[6]) out.push('table');
  }
  return out;
}

describe('renderReport', () => {
  it('has the golden structure: sections in order, each with its heading, charts and tables', async () => {
    const html = await buildReport(fixtureInput({ withExamples: true }));
    expect(structure(html)).toEqual([
      'h1 heatcheck report: synthetic',
      'section#verdicts', 'h2 Verdicts', 'table', 'h3 Rules',
      'section#utility', 'h2 Localization utility', 'chart#figure-2', 'table',
      'section#randomization', 'h2 Sensitivity to model-weight randomization', 'chart#figure-3', 'table', 'table',
      'section#consistency', 'h2 Repeatability and reproducibility', 'chart#figure-4', 'h3 Repeatability', 'table', 'h3 Reproducibility', 'table',
      'section#examples', 'h2 Examples', 'h3 Localization (Figure 2C/D)', 'h3 Degradation under cascading randomization (Figure 3B)', 'h3 Repeatability and reproducibility (Figure 4C/D)',
      'section#provenance', 'h2 Provenance', 'table',
      'h3 Dataset', 'table', 'h3 Seeds', 'table', 'h3 Versions', 'table', 'h3 Models', 'h4 Model 1: inceptionv3-r1', 'table', 'h3 Inputs', 'table',
      'h3 Resolved options (4)', 'table', 'h3 Warnings (1)', 'h3 About this report',
    ]);
    expect(reportSections.map((s) => s.id)).toEqual(['verdicts', 'utility', 'randomization', 'consistency', 'examples', 'provenance']);
  });

  it('the verdict matrix has one row per method and one column per criterion, first', () => {
    const input = fixtureInput();
    const html = renderReport(input);
    const matrix = html.slice(html.indexOf('id="verdicts"'), html.indexOf('id="utility"'));
    expect(matrix.match(/<th scope="col">/g)).toHaveLength(1 + input.verdicts.criteria.length);
    expect(matrix.match(/<th scope="row">/g)).toHaveLength(input.verdicts.methods.length);
    expect(matrix.match(/<td class="verdict (pass|fail|na)"/g)).toHaveLength(input.verdicts.verdicts.length);
    expect(html.indexOf('id="verdicts"')).toBeLessThan(html.indexOf('id="utility"'));
  });

  it('is deterministic: the same input gives byte-identical HTML', async () => {
    const a = await buildReport(fixtureInput({ withExamples: true }));
    const b = await buildReport(fixtureInput({ withExamples: true }));
    expect(a).toBe(b);
  });

  it('is self-contained: no scripts, no external URLs, only data: images', async () => {
    const html = await buildReport(fixtureInput({ withExamples: true }));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    const srcs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    for (const s of srcs) expect(/^data:image\/(png|jpeg);base64,/.test(s) || s.startsWith('#')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('@media print');
    // every image has alt text
    for (const img of html.matchAll(/<img [^>]*>/g)) expect(img[0]).toMatch(/ alt="[^"]+"/);
  });

  it('escapes every dataset-derived string: a malicious image id, dataset name and method cannot inject HTML', async () => {
    const base = fixtureInput({ imageId: hostile, datasetName: hostile, withExamples: true });
    const input: ReportInput = {
      ...base,
      verdicts: { ...base.verdicts, methods: [...base.verdicts.methods, hostile], verdicts: [...base.verdicts.verdicts, { ...base.verdicts.verdicts[0]!, method: hostile, reason: hostile, ruleText: hostile }] },
      provenance: { ...base.provenance, warnings: [hostile], sources: { [hostile]: hostile }, config: { [hostile]: hostile } },
    };
    const html = await buildReport(input);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/onerror=alert\(1\)>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    // only our own tags: every <img has a data: src
    for (const m of html.matchAll(/<img\b[^>]*>/g)) expect(m[0]).toMatch(/^<img src="data:image\/(png|jpeg);base64,/);
  });

  it('without charts, figures become notes and tables remain', () => {
    const html = renderReport({ ...fixtureInput(), perImage: [] });
    expect(html).not.toContain('<svg');
    expect(html).toContain('box plots (Figure 2) are not drawn');
  });

  it('provenance names the config file in full, or says there was none', () => {
    const base = fixtureInput();
    const row = (configFile: string | null | undefined) => {
      const { configFile: _drop, ...rest } = base.provenance;
      const html = renderReport({ ...base, provenance: configFile === undefined ? rest : { ...rest, configFile } });
      return /<th scope="row">Config file<\/th><td>([^<]*)<\/td>/.exec(html)?.[1];
    };
    expect(row('/data/audits/<siim>.json')).toBe('/data/audits/&lt;siim&gt;.json');
    expect(row(null)).toBe('none (built-in demo config or a library call)');
    expect(row(undefined)).toBe('not recorded');
  });

  it('caps examples and says so', () => {
    const base = fixtureInput({ withExamples: true });
    const one = base.examples!.utility![0]!;
    const html = renderReport({ ...base, examples: { utility: [one, one, one, one, one] }, limits: { utilityExamples: 2 } });
    expect(html.match(/alt="X-ray [^"]* with the ground truth outlined"/g)).toHaveLength(2);
    expect(html).toContain('3 more localization examples not shown');
  });
});

describe('renderMarkdownSummary', () => {
  it('has the verdict table and one table per criterion, deterministically', () => {
    const md = renderMarkdownSummary(fixtureInput());
    expect(md).toBe(renderMarkdownSummary(fixtureInput()));
    expect(md.match(/^### /gm)).toHaveLength(4);
    expect(md).toContain('| Method | Utility | Randomization | Repeatability | Reproducibility |');
    expect(md.split('\n').filter((l) => l.startsWith('| GRAD |'))).toHaveLength(5);
  });

  it('escapes pipes and markup from the data', () => {
    const base = fixtureInput({ datasetName: 'a|b<i>' });
    const md = renderMarkdownSummary(base);
    expect(md).toContain('a\\|b\\<i\\>');
  });
});
