import { appendFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { checkDataset, formatCheckReport } from '../../src/data/check.js';
import { openDataset } from '../../src/data/open.js';
import { writePhantomDataset } from '../../src/data/phantom/write.js';

const dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-check-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  const code = await runCli(['node', 'heatcheck', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

const siimRoot = path.join(dir, 'siim');
const rsnaRoot = path.join(dir, 'rsna');
beforeAll(async () => {
  await writePhantomDataset(siimRoot, { count: 20, prevalence: 0.3, size: 48, seed: 1 });
  await writePhantomDataset(rsnaRoot, { count: 12, prevalence: 0.5, size: 48, seed: 2, lesion: 'pneumonia', transferSyntax: 'explicit-le' });
});

describe('checkDataset', () => {
  it('counts images, positives, masks and boxes per split, reading every image', async () => {
    const report = await checkDataset(await openDataset(rsnaRoot, { skipBad: true }));
    expect(report.format).toBe('rsna');
    expect(report.total).toMatchObject({ images: 12, positives: 6, negatives: 6 });
    expect(report.total.boxes).toBeGreaterThanOrEqual(6);
    expect(report.splits.train.images + report.splits.val.images + report.splits.test.images).toBe(12);
    expect(report.imageSizes).toEqual({ '48x48': 12 });
    expect(report.problemCount).toBe(0);
    expect(formatCheckReport(report)).toContain('no problems found');
  });
});

describe('heatcheck data check', () => {
  it('reports a clean SIIM-style dataset as JSON and exits 0', async () => {
    const { code, stdout } = await cli('data', 'check', siimRoot, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.format).toBe('siim');
    expect(report.total).toMatchObject({ images: 20, positives: 6, negatives: 14, masks: 6 });
  });

  it('prints problems by kind with examples, exits 1, and 0 with --skip-bad', async () => {
    const broken = path.join(dir, 'broken');
    await writePhantomDataset(broken, { count: 10, prevalence: 0.5, size: 32, seed: 3, transferSyntax: 'explicit-le' });
    await appendFile(path.join(broken, 'train-rle.csv'), 'extra-id, 5 x\nghost, -1\n');
    const first = (await readdir(path.join(broken, 'dicom-images-train')))[0]!;
    await rm(path.join(broken, 'dicom-images-train', first), { recursive: true });
    const text = await cli('data', 'check', broken);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/rle-token: 1/);
    expect(text.stdout).toMatch(/missing-file: 2/);
    expect(text.stdout).toMatch(/line \d+ › " EncodedPixels": run-length token 2 is "x"/);
    expect(text.stdout).not.toContain('unknown-id');
    expect(text.stderr).toContain('found problems');
    const json = await cli('data', 'check', broken, '--json', '--skip-bad');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.total.images).toBe(9);
    expect(report.problems.map((g: { kind: string }) => g.kind).sort()).toEqual(['missing-file', 'rle-token']);
  });

  it('exits 2 with a clear message for an unrecognised folder or a bad flag', async () => {
    await mkdir(path.join(dir, 'empty'));
    const unknown = await cli('data', 'check', path.join(dir, 'empty'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format');
    const flag = await cli('data', 'check', siimRoot, '--format', 'nifti');
    expect(flag.code).toBe(2);
  });
});
