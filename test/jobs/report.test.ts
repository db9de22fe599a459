import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { readRunReportInput, writeRunReport } from '../../src/jobs/report.js';
import { reportSections } from '../../src/report/index.js';
import { tinyLayer } from './audit-tiny-run.js';

let dir: string;
let run: string;
let auditOutput: string;

// One tiny audit through the CLI (the tiny-run config as a config file), so its report hook is tested too.
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-report-'));
  run = path.join(dir, 'run');
  const config = path.join(dir, 'tiny.json');
  await writeFile(config, JSON.stringify(tinyLayer.data));
  const lines: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    const code = await runCli(['node', 'heatcheck', 'audit', '--config', config, '--out', run, '--quiet']);
    if (code !== 0) throw new Error(`tiny audit exited ${code}`);
  } finally {
    stdout.mockRestore();
  }
  auditOutput = lines.join('');
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every URL-like reference in the page other than the SVG/XLink namespace names inline SVG carries. */
function externalReferences(html: string): string[] {
  const withoutDataUrls = html.replace(/data:[^"')\s]+/g, 'data:');
  return [...withoutDataUrls.matchAll(/(?:[a-z]+:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'<>)]*/gi)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(u));
}

/** Runs `heatcheck report ...`, returning the exit code and stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await runCli(['node', 'heatcheck', 'report', ...args]), stderr: err.join('\n') };
  } finally {
    error.mockRestore();
    stdout.mockRestore();
  }
}

describe('heatcheck report on a tiny audit run', () => {
  it('heatcheck audit wrote report.html and summary.md at its end', async () => {
    expect(auditOutput).toContain(`report: ${path.join(run, 'report.html')}`);
    expect((await stat(path.join(run, 'report.html'))).size).toBeGreaterThan(10_000);
    expect(await readFile(path.join(run, 'summary.md'), 'utf8')).toContain('| Method | Utility |');
  });

  it('writes a self-contained report.html with every section and the examples, and summary.md with the verdict table', async () => {
    const report = await writeRunReport({ runDir: run });
    expect(report.html).toBe(path.join(run, 'report.html'));
    expect(report.warnings).toEqual([]);
    const html = await readFile(report.html, 'utf8');
    for (const s of reportSections) {
      expect(html).toContain(`<section id="${s.id}"`);
      expect(html).toContain(`>${s.title}</h2>`);
    }
    expect(html).not.toMatch(/<script|<link|<iframe|@import/i);
    expect(html).not.toMatch(/\b(src|href)="(?!data:|#)/);
    expect(externalReferences(html)).toEqual([]);
    expect(html).toContain('Content-Security-Policy');
    // Figures 2-4 as inline SVG, and example thumbnails as data URLs.
    expect(html.match(/<figure class="chart" id="figure-\d"/g)).toHaveLength(3);
    expect(html.match(/<img [^>]*src="data:image\//g)!.length).toBeGreaterThan(30);
    expect(html).toContain('Figure 3B');
    expect(html).toContain('small-cnn-r2');

    const md = await readFile(report.markdown, 'utf8');
    expect(md).toContain('| Method | Utility | Randomization | Repeatability | Reproducibility |');
    for (const label of ['GRAD', 'SG', 'IG', 'SIG', 'GCAM', 'GBP', 'GGCAM', 'XRAI']) expect(md).toMatch(new RegExp(`^\\| ${label} \\| (PASS|FAIL|n/a)`, 'm'));
  }, 60_000);

  it('assembles the input from the run folder: criteria results, per-image rows, examples and provenance without paths', async () => {
    const input = await readRunReportInput(run);
    expect(input.verdicts.methods).toHaveLength(8);
    expect(input.utility?.methods).toHaveLength(8);
    expect(input.perImage?.some((r) => r.criterion === 'randomization' && typeof r.ssim === 'number')).toBe(true);
    expect(input.examples?.utility?.[0]?.maps.map((m) => m.method)).toContain('average-mask');
    expect(input.examples?.degradation?.[0]?.states.map((s) => s.state)[0]).toBe('original');
    expect(input.examples?.consistency?.[0]?.rows.map((r) => r.model)).toEqual(['small-cnn-r1', 'small-cnn-r2', 'other-cnn-r1']);
    expect(input.provenance.models?.map((m) => m['id'])).toEqual(['small-cnn-r1', 'small-cnn-r2', 'other-cnn-r1', 'unet-r1', 'unet-r2']);
    expect(input.provenance.seeds).toMatchObject({ config: 3, 'training.unet-r1': 4 });
    // Sources name the config file (the user's own path); nothing else about the run's location is shown.
    const { dataset, models, inputs, seeds, versions } = input.provenance;
    expect(JSON.stringify({ dataset, models, inputs, seeds, versions })).not.toContain(dir);
    expect(dataset).toMatchObject({ format: 'phantom', imageSize: 32 });
  });

  it('shows the full path of the config file the audit ran from', async () => {
    const config = path.join(dir, 'tiny.json');
    expect(JSON.parse(await readFile(path.join(run, 'results.json'), 'utf8'))).toMatchObject({ configFile: config, baseDir: dir });
    expect((await readRunReportInput(run)).provenance.configFile).toBe(config);
    expect(await readFile(path.join(run, 'report.html'), 'utf8')).toContain(`<th scope="row">Config file</th><td>${config}</td>`);
  });

  it('the CLI writes to --out; a run folder without maps and steps still gets a report with a warning', async () => {
    const out = path.join(dir, 'elsewhere', 'audit.html');
    expect((await cli(run, '--out', out)).code).toBe(0);
    expect((await stat(path.join(dir, 'elsewhere', 'summary.md'))).isFile()).toBe(true);

    const pruned = path.join(dir, 'pruned');
    await mkdir(pruned);
    for (const f of ['results.json', 'per-image.csv']) await copyFile(path.join(run, f), path.join(pruned, f));
    const report = await writeRunReport({ runDir: pruned });
    expect(report.warnings.join(' ')).toContain('no maps/ folder');
    const html = await readFile(report.html, 'utf8');
    expect(html).toContain('<section id="examples"');
    expect(html).toContain('no maps/ folder');
  }, 60_000);

  it('exits 2 for a folder that is not an audit run', async () => {
    const r = await cli(path.join(dir, 'elsewhere'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('results.json');
  });
});
