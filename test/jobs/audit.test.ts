import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { perImageColumns } from '../../src/criteria/index.js';
import { decodePng } from '../../src/data/index.js';
import { cleanInterrupted } from '../../src/jobs/runner.js';
import { runTiny, scoresOf } from './audit-tiny-run.js';
import { killPoints, runScript } from '../helpers/kill-resume.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'heatcheck-audit-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const methods = ['gradient', 'smoothgrad', 'integrated-gradients', 'smooth-ig', 'grad-cam', 'guided-backprop', 'guided-grad-cam', 'xrai'];

describe('runAudit on a tiny phantom', () => {
  it('writes consistent results.json, per-image.csv and maps/, and a re-run reuses every step', async () => {
    const out = await tempDir();
    const run = await runTiny(out);
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8'));
    const n = results.images.count as number;
    expect(n).toBeGreaterThan(0);
    expect(results.images.keys.every((k: string) => /^img-\d{3}$/.test(k))).toBe(true);
    for (const criterion of ['utility', 'randomization', 'repeatability', 'reproducibility']) {
      expect(results[criterion].methods.map((m: { method: string }) => m.method)).toEqual(methods);
    }
    expect(results.verdicts.verdicts).toHaveLength(methods.length * 4);
    expect(results.sources['criteria.ssim.dataRange']).toBe('preset recommended');
    expect(results.config.saliency.options.smoothgrad.samples).toBe(2);
    expect(Object.keys(results.inputs.models)).toEqual(['small-cnn-r1', 'small-cnn-r2', 'other-cnn-r1', 'unet-r1', 'unet-r2']);
    expect(results.states['small-cnn-r1']).toEqual(['original', 'logits', 'block5', 'block4', 'block3', 'block2', 'block1']);
    expect(results.tool.version).toMatch(/\d+\.\d+/);
    expect(run.verdictText).toContain('grad-cam');

    const csv = (await readFile(path.join(out, 'per-image.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(perImageColumns.join(','));
    const rows = csv.slice(1).map((l) => l.split(','));
    // utility: 8 methods x 2 states x 1 replicate (recommended scores the mean of 2) -> 2 replicates, + unet + prior
    const utilityRows = rows.filter((r) => r[1] === 'utility');
    expect(utilityRows).toHaveLength(n * (methods.length * 2 * 2 + 2));
    const randomizationRows = rows.filter((r) => r[1] === 'randomization');
    expect(randomizationRows).toHaveLength(n * methods.length * 2 * 6);
    // No dataset ids leak: every image cell is a pseudonymous key.
    expect(rows.every((r) => /^img-\d{3}$/.test(r[0]!))).toBe(true);

    const mapDir = path.join(out, 'maps', 'small-cnn-r1', 'grad-cam');
    const files = (await readdir(mapDir)).sort();
    expect(files).toHaveLength(2 * n);
    const png = decodePng(await readFile(path.join(mapDir, files.find((f) => f.endsWith('.png'))!)));
    expect([png.width, png.height, png.bitDepth]).toEqual([32, 32, 16]);
    const meta = JSON.parse(await readFile(path.join(mapDir, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(meta).toMatchObject({ model: 'small-cnn-r1', method: 'grad-cam', state: 'original', width: 32 });

    const again = await runTiny(out);
    expect((again.results.timings as { steps: { cached: boolean }[] }).steps.every((s) => s.cached)).toBe(true);
    expect(scoresOf(again.results)).toBe(scoresOf(run.results));
  }, 600_000);

  it('resumes after kill -9 at random moments to the same scores as an uninterrupted run', async () => {
    const script = path.join(import.meta.dirname, 'audit-tiny-run.ts');
    const reference = await runScript(script, [await tempDir()]);
    expect(reference.stdout).toMatch(/^result /m);
    const rng = createRng(5);
    let interrupted = 0;
    for (const killAfterMs of killPoints(reference.ms, 3, () => rng.uniform())) {
      const runDir = await tempDir();
      const killed = await runScript(script, [runDir], killAfterMs);
      if (!/^result /m.test(killed.stdout)) interrupted++;
      await cleanInterrupted(runDir);
      const resumed = await runScript(script, [runDir]);
      expect(resumed.stdout).toBe(reference.stdout);
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 900_000);
});
