// Golden test: the report's structure on the small fixed input of fixture.ts (criteria results built from
// seeded synthetic scores, with examples) must match test/report/golden/report-skeleton.txt. After an
// intended change, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts` and review
// the diff (docs/report.md, Golden test).
import { readFile, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, renderReport, reportSections } from '../../src/report/index.js';
import { underCi } from '../helpers/external-tools.js';
import { fixtureInput } from './fixture.js';
import { htmlSkeleton } from './skeleton.js';

const goldenFile = new URL('./golden/report-skeleton.txt', import.meta.url);
const update = process.env['UPDATE_GOLDEN'] === '1';
// A golden regenerated in CI would make the test pass whatever the report looks like.
if (update && underCi) throw new Error('UPDATE_GOLDEN=1 is refused under CI: regenerate the golden locally and commit it');

let html: string;
beforeAll(async () => {
  html = await buildReport(fixtureInput({ withExamples: true }));
});

describe('report structure (golden)', () => {
  it('matches the committed skeleton', async () => {
    const skeleton = htmlSkeleton(html);
    if (update) await writeFile(goldenFile, skeleton);
    expect(skeleton).toBe(await readFile(goldenFile, 'utf8'));
  });

  it('the skeleton sees a missing section, a missing chart, a renamed class and a lost alt text, and ignores the numbers', () => {
    const base = htmlSkeleton(html);
    const variants = {
      section: html.replace(/<section id="randomization"[\s\S]*?<\/section>/, ''),
      chart: html.replace(/<figure class="chart" id="figure-4"[\s\S]*?<\/figure>/, ''),
      cls: html.replace('class="verdict ', 'class="cell '),
      alt: html.replace(/ alt="[^"]*"/, ''),
    };
    for (const [what, changed] of Object.entries(variants)) {
      expect(changed, what).not.toBe(html);
      expect(htmlSkeleton(changed), what).not.toBe(base);
    }
    // Other numbers in the text (version, seeds), same structure: the same skeleton.
    const input = fixtureInput({ withExamples: true });
    const renamed = renderReport({ ...input, provenance: { ...input.provenance, tool: { name: 'heatcheck', version: '9.9.9' }, seeds: { bootstrap: 123, selection: 456 } } });
    expect(htmlSkeleton(renamed)).toBe(htmlSkeleton(renderReport(input)));
    expect(reportSections).toHaveLength(6);
  });
});
