import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, ModelError, UsageError } from '../../src/core/errors.js';
import { decodePng, encodeGreyPng, encodePng } from '../../src/data/index.js';
import { runExplain } from '../../src/jobs/explain.js';

const model = '/work/shared/oracle/saliency/tiny_inception.onnx';
let dir: string;
let images: string[];

/** A smooth grey test pattern with a bright blob, in [0, 1]. */
function pattern(width: number, height: number, cx: number, cy: number): Float32Array {
  const px = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) px[y * width + x] = 0.2 + 0.6 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 60) + 0.1 * (x / width);
  }
  return px;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-explain-'));
  await mkdir(path.join(dir, 'in'));
  images = [path.join(dir, 'in', 'chest-a.png'), path.join(dir, 'in', 'chest-b.png')];
  // Different sizes and bit depths: both must come out at the model's 64x64.
  await writeFile(images[0]!, encodeGreyPng(pattern(48, 40, 20, 15), 48, 40, 8));
  await writeFile(images[1]!, encodeGreyPng(pattern(96, 96, 60, 50), 96, 96, 16));
  // An RGB image (luma is taken) for the folder case.
  const rgb = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 7) % 251);
  await writeFile(path.join(dir, 'in', 'chest-c.png'), encodePng({ data: rgb, width: 64, height: 64, channels: 3 }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runExplain', () => {
  it('writes a 16-bit map, an overlay and metadata per image and method', async () => {
    const out = path.join(dir, 'out');
    const run = await runExplain({ model, images, methods: ['gradient', 'grad-cam'], outDir: out });
    expect(run.maps).toHaveLength(4);
    expect((await readdir(path.join(out, 'grad-cam'))).sort()).toEqual(['chest-a.json', 'chest-a.overlay.png', 'chest-a.png', 'chest-b.json', 'chest-b.overlay.png', 'chest-b.png']);

    const map = decodePng(await readFile(path.join(out, 'gradient', 'chest-a.png')));
    expect([map.width, map.height, map.bitDepth, map.channels]).toEqual([64, 64, 16, 1]);
    expect(Math.max(...map.data)).toBe(65535);
    const overlay = decodePng(await readFile(path.join(out, 'gradient', 'chest-a.overlay.png')));
    expect([overlay.width, overlay.height, overlay.channels, overlay.bitDepth]).toEqual([64, 64, 3, 8]);

    const meta = JSON.parse(await readFile(path.join(out, 'grad-cam', 'chest-b.json'), 'utf8'));
    expect(meta).toMatchObject({ image: 'chest-b', file: 'chest-b.png', method: 'grad-cam', preset: 'recommended', width: 64, height: 64, degenerate: false, seed: null });
    expect(meta.model).toMatchObject({ file: 'tiny_inception.onnx', inputShape: [3, 64, 64], classes: 2 });
    expect(meta.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.target.requested).toBe('predicted');
    expect([0, 1]).toContain(meta.target.explained);
    expect(meta.options.layer).toBe(meta.model.defaultCamLayer);
    expect(meta.options.postprocess).toMatchObject({ sign: 'abs', clipPercentile: 99 });
    expect(meta.postprocessing.map((s: { op: string }) => s.op)).toContain('min-max');
    expect(meta.preprocessing).toMatchObject({ normalize: 'inception', channels: 3, resize: { width: 64, height: 64 } });
    expect(meta.milliseconds).toBeGreaterThan(0);
    // No paths: only the file's own name (the temp folder never appears).
    expect(JSON.stringify(meta)).not.toContain(dir);

    const summary = JSON.parse(await readFile(run.summary, 'utf8'));
    expect(summary).toMatchObject({ preset: 'recommended', seed: 0, methods: ['gradient', 'grad-cam'], target: 'predicted' });
    expect(summary.images).toEqual([{ key: 'chest-a', file: 'chest-a.png' }, { key: 'chest-b', file: 'chest-b.png' }]);
  }, 60_000);

  it('repeats a seeded SmoothGrad exactly (also on one lane), records the seed, normalization, class target and engine', async () => {
    const options = { model, images: images.slice(0, 1), methods: ['smoothgrad'], seed: 5, target: 0, normalize: 'imagenet' as const, preset: 'arun2021' as const };
    await runExplain({ ...options, outDir: path.join(dir, 'sg1') });
    await runExplain({ ...options, lanes: 1, outDir: path.join(dir, 'sg2') });
    const a = await readFile(path.join(dir, 'sg1', 'smoothgrad', 'chest-a.png'));
    expect(a.equals(await readFile(path.join(dir, 'sg2', 'smoothgrad', 'chest-a.png')))).toBe(true);
    const engineOf = async (run: string) => JSON.parse(await readFile(path.join(dir, run, 'explain.json'), 'utf8')).engine;
    const first = await engineOf('sg1');
    expect(first.lanes).toBe(Math.min(2, first.threads));
    expect(await engineOf('sg2')).toEqual({ threads: first.threads, lanes: 1 });
    const meta = JSON.parse(await readFile(path.join(dir, 'sg1', 'smoothgrad', 'chest-a.json'), 'utf8'));
    expect(meta).toMatchObject({ seed: 5, preset: 'arun2021', target: { requested: 0, explained: 0 } });
    expect(meta.options).toMatchObject({ samples: 25, noiseFraction: 0.15, seed: 5, commonRandomNumbers: false });
    expect(meta.preprocessing).toMatchObject({ normalize: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  }, 60_000);

  it('explains every image of a plain folder, keyed by file stem', async () => {
    const run = await runExplain({ model, images: [path.join(dir, 'in')], methods: ['gradient'], outDir: path.join(dir, 'folder'), normalize: 'unit' });
    expect(run.maps.map((m) => m.image)).toEqual(['chest-a', 'chest-b', 'chest-c']);
    const meta = JSON.parse(await readFile(path.join(dir, 'folder', 'gradient', 'chest-c.json'), 'utf8'));
    expect(meta.preprocessing).toMatchObject({ normalize: 'unit', formula: 'x' });
  }, 60_000);

  it('keys a dataset folder\'s images pseudonymously, never by their dataset id', async () => {
    const root = path.join(dir, 'dataset');
    await mkdir(path.join(root, 'images'), { recursive: true });
    const ids = ['1.2.840.99.1', '1.2.840.99.2', '1.2.840.99.3'];
    await writeFile(path.join(root, 'labels.csv'), `id,label,split\n${ids.map((id, i) => `${id},0,${i === 2 ? 'train' : 'test'}`).join('\n')}\n`);
    for (const id of ids) await writeFile(path.join(root, 'images', `${id}.png`), encodeGreyPng(pattern(64, 64, 30, 30), 64, 64, 8));
    const out = path.join(dir, 'ds');
    const run = await runExplain({ model, images: [root], methods: ['gradient'], outDir: out, split: 'test' });
    expect(run.maps.map((m) => m.image)).toEqual(['img-001', 'img-002']);
    const written = (await readdir(path.join(out, 'gradient'))).join(' ') + (await readFile(run.summary, 'utf8')) + (await readFile(path.join(out, 'gradient', 'img-001.json'), 'utf8'));
    expect(written).not.toContain('1.2.840.99');
  }, 60_000);

  it('fails clearly: unknown method (listing the valid ones), unreadable image, bad model', async () => {
    const out = path.join(dir, 'bad');
    const unknown = runExplain({ model, images, methods: ['gradient', 'gradcam++'], outDir: out });
    await expect(unknown).rejects.toBeInstanceOf(UsageError);
    await expect(unknown).rejects.toThrow(/gradcam\+\+.*grad-cam/s);
    await expect(runExplain({ model, images, methods: [], outDir: out })).rejects.toBeInstanceOf(UsageError);
    await expect(runExplain({ model, images, methods: ['gradient'], outDir: out, lanes: 0 })).rejects.toThrow(/lanes must be a positive integer/);
    await expect(runExplain({ model, images, methods: ['gradient'], outDir: out, normalize: 'zscore' as never })).rejects.toBeInstanceOf(UsageError);

    const junk = path.join(dir, 'junk.png');
    await writeFile(junk, 'not an image');
    await expect(runExplain({ model, images: [junk], methods: ['gradient'], outDir: out })).rejects.toBeInstanceOf(DataError);
    await expect(runExplain({ model, images: [path.join(dir, 'missing.png')], methods: ['gradient'], outDir: out })).rejects.toBeInstanceOf(DataError);

    await expect(runExplain({ model: junk, images, methods: ['gradient'], outDir: out })).rejects.toBeInstanceOf(ModelError);
    await expect(runExplain({ model: path.join(dir, 'missing.onnx'), images, methods: ['gradient'], outDir: out })).rejects.toBeInstanceOf(ModelError);
    // Nothing half-written for the option errors.
    await expect(readdir(path.join(out, 'gradient'))).rejects.toThrow();
  }, 60_000);
});
