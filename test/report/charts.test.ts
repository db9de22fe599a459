import { describe, expect, it } from 'vitest';
import { consistencyChartSpec, prefixSvgIds, randomizationChartSpec, renderChart, renderReportCharts, utilityChartSpec } from '../../src/report/index.js';
import { fixtureInput } from './fixture.js';

// Well-formed enough for the report: one root svg, balanced tags (a tiny tag-stack check, no XML parser needed).
function checkSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
}

describe('charts', () => {
  const input = fixtureInput();

  it('Figure 2: box plots per method and set, dashed mean ticks, baseline rules', async () => {
    const chart = await renderChart(utilityChartSpec(input.utility!, input.perImage!)!);
    checkSvg(chart.svg);
    expect(chart.svg).toContain('aria-label');
    // boxes (rect marks of the boxplot), the mean ticks and the two baseline rules
    expect(chart.svg.match(/aria-roledescription="box"/g)).toHaveLength(8);
    expect(chart.svg).toContain('stroke-dasharray="3,2"');
    expect(chart.svg).toContain('stroke-dasharray="6,4"');
    for (const label of ['GRAD', 'GCAM', 'XRAI', 'U-Net', 'AVG', 'U-Net mean', 'AVG mean', 'Trained', 'Randomized']) expect(chart.svg).toContain(`>${label}<`);
    expect(chart.warnings).toEqual([]);
  });

  it('Figure 3: a line per method in the paper colours, bands and dashed baselines', async () => {
    const chart = await renderChart(randomizationChartSpec(input.randomization!)!);
    checkSvg(chart.svg);
    expect(chart.svg).toContain('#d62728'); // GRAD red
    expect(chart.svg).toContain('#c000c0'); // XRAI magenta
    expect(chart.svg.match(/class="mark-line /g)).toHaveLength(3); // one line group per method
    expect(chart.svg).toContain('mark-area');
    expect(chart.svg).toContain('stroke-dasharray="5,4"');
    for (const state of ['Original', 'Logits', 'mixed10', 'mixed1']) expect(chart.svg).toContain(`>${state}<`);
  });

  it('Figure 4: repeatability, reproducibility, the network reference and the 0.5 line', async () => {
    const chart = await renderChart(consistencyChartSpec(input.repeatability, input.reproducibility, input.perImage!)!);
    checkSvg(chart.svg);
    for (const label of ['Repeatability', 'Reproducibility', 'U-Net mean', '0.5']) expect(chart.svg).toContain(`>${label}<`);
  });

  it('renders the same SVG twice, and ids are unique across charts', async () => {
    const a = await renderReportCharts(input);
    const b = await renderReportCharts(input);
    expect(a.map((c) => c.id)).toEqual(['figure-2', 'figure-3', 'figure-4']);
    expect(a.map((c) => c.svg)).toEqual(b.map((c) => c.svg));
    const ids = a.flatMap((c) => [...c.svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('escapes hostile labels inside the SVG', async () => {
    const hostile = fixtureInput();
    const rows = hostile.perImage!.map((r) => (r.method === 'xrai' ? { ...r, method: '<script>alert(1)</script>' } : r));
    const utility = { ...hostile.utility!, methods: hostile.utility!.methods.map((m) => (m.method === 'xrai' ? { ...m, method: '<script>alert(1)</script>' } : m)) };
    const chart = await renderChart(utilityChartSpec(utility, rows)!);
    expect(chart.svg).not.toContain('<script');
    expect(chart.svg).toContain('&lt;script&gt;');
  });

  it('prefixSvgIds rewrites ids and their references', () => {
    expect(prefixSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/>', 'f')).toBe(
      '<clipPath id="f-clip1"/><g clip-path="url(#f-clip1)"/><use href="#f-clip1"/>',
    );
  });

  it('no per-image rows, no box plots', () => {
    expect(utilityChartSpec(input.utility!, [])).toBeNull();
    expect(consistencyChartSpec(input.repeatability, input.reproducibility, [])).toBeNull();
  });
});
