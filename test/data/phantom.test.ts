import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { stableHash } from '../../src/core/hash.js';
import { loadItem, loadItems } from '../../src/data/dataset.js';
import { decodeDicom } from '../../src/data/dicom/index.js';
import { drawPhantom, generatePhantom, openPhantomDataset, planPhantom, resolvePhantomOptions } from '../../src/data/phantom/generate.js';
import { writeDicomImage } from '../../src/data/phantom/dicom-writer.js';
import { writePhantomDataset } from '../../src/data/phantom/write.js';
import { openRsnaDataset } from '../../src/data/rsna.js';
import { openSiimDataset } from '../../src/data/siim.js';

const dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-phantom-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const sum = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0);

describe('phantom generator', () => {
  it('is seeded: same options, same pixels; another seed, other pixels', () => {
    const a = [...generatePhantom({ count: 4, size: 48, seed: 5 })].map((s) => stableHash(s.image.pixels));
    const b = [...generatePhantom({ count: 4, size: 48, seed: 5 })].map((s) => stableHash(s.image.pixels));
    const c = [...generatePhantom({ count: 4, size: 48, seed: 6 })].map((s) => stableHash(s.image.pixels));
    expect(a).toEqual(b);
    expect(a[0]).not.toBe(c[0]);
  });

  it('draws any item alone identically', () => {
    const options = resolvePhantomOptions({ count: 10, size: 40, seed: 2 });
    const plan = planPhantom(options);
    const all = [...generatePhantom({ count: 10, size: 40, seed: 2 })];
    expect(stableHash(drawPhantom(options, plan[7]!).image.pixels)).toBe(stableHash(all[7]!.image.pixels));
  });

  it('has exact prevalence, lesions only on positives, in [0, 1] 8-bit pixels, at non-square sizes', () => {
    const samples = [...generatePhantom({ count: 40, prevalence: 0.25, size: { width: 72, height: 56 }, seed: 1 })];
    expect(samples.filter((s) => s.label === 1)).toHaveLength(10);
    for (const s of samples) {
      expect(s.image.width).toBe(72);
      expect(s.image.height).toBe(56);
      expect(sum(s.lesionMask.data) > 0).toBe(s.label === 1);
      const off = s.image.pixels.filter((v: number) => !(v >= 0 && v <= 1) || Math.abs(v * 255 - Math.round(v * 255)) > 1e-4);
      expect(off.length).toBe(0);
    }
  });

  it('pneumonia positives carry boxes that bound their opacities', () => {
    for (const s of generatePhantom({ count: 12, prevalence: 0.5, size: 64, lesion: 'pneumonia', seed: 3 })) {
      expect(s.boxes.length > 0).toBe(s.label === 1);
      expect(s.groundTruth.kind).toBe('boxes');
      for (const b of s.boxes) {
        expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= 64 && b.y + b.height <= 64).toBe(true);
      }
    }
  });

  it('makes a pneumothorax darker than the lung it replaced (a visible lesion)', () => {
    // Same seed and index with and without the lesion: compare the crescent's pixels.
    const options = resolvePhantomOptions({ count: 1, prevalence: 1, size: 128, seed: 9, noise: 0 });
    const info = planPhantom(options)[0]!;
    const withLesion = drawPhantom(options, info);
    const without = drawPhantom(options, { ...info, label: 0 });
    let before = 0;
    let after = 0;
    const n = sum(withLesion.lesionMask.data);
    withLesion.lesionMask.data.forEach((m, i) => {
      if (m) {
        before += without.image.pixels[i]!;
        after += withLesion.image.pixels[i]!;
      }
    });
    expect(n).toBeGreaterThan(40);
    expect((before - after) / n).toBeGreaterThan(0.03);
  });

  it('plants the shortcut at the requested rates with its own mask', () => {
    const samples = [...generatePhantom({ count: 200, prevalence: 0.5, size: 32, seed: 4, shortcut: { kind: 'token', positiveRate: 0.9, negativeRate: 0.1 } })];
    const rate = (label: number) => samples.filter((s) => s.label === label && s.hasShortcut).length / 100;
    expect(rate(1)).toBeGreaterThan(0.8);
    expect(rate(0)).toBeLessThan(0.2);
    for (const s of samples) expect(sum(s.shortcutMask.data) > 0).toBe(s.hasShortcut);
  });

  it('refuses bad options with a UsageError naming the option', () => {
    expect(() => resolvePhantomOptions({ count: 0 })).toThrow(UsageError);
    expect(() => resolvePhantomOptions({ prevalence: 2 })).toThrow(/prevalence/);
    expect(() => resolvePhantomOptions({ lesionSize: [0.2, 0.1] })).toThrow(/lesionSize/);
    expect(() => resolvePhantomOptions({ size: 8 })).toThrow(/size/);
  });

  it('serves an in-memory dataset through the Dataset interface', async () => {
    const dataset = openPhantomDataset({ count: 20, size: 48, seed: 8 });
    expect(dataset.format).toBe('phantom');
    expect(dataset.size).toBe(20);
    const loaded = [];
    for await (const item of loadItems(dataset, { split: 'train' })) loaded.push(item);
    expect(loaded.length).toBe([...dataset.items('train')].length);
    expect(loaded[0]!.groundTruth.kind).toBe('mask');
  });
});

describe('DICOM writer', () => {
  it('writes Part 10 files the DICOM decoder reads back (native exactly, JPEG closely)', async () => {
    const sample = [...generatePhantom({ count: 1, size: 61, seed: 1 })][0]!;
    const bytes = Uint8Array.from(sample.image.pixels, (v) => Math.round(v * 255));
    const attributes = { sopInstanceUid: sample.id, studyInstanceUid: sample.studyUid, seriesInstanceUid: sample.seriesUid, patientId: 'p1', instanceNumber: 1 };
    const native = await decodeDicom(writeDicomImage(bytes, 61, 61, attributes, 'explicit-le'));
    expect(native.shape).toEqual([1, 61, 61, 1]);
    expect(Array.from(native.pixels, Number)).toEqual(Array.from(bytes));
    const jpeg = await decodeDicom(writeDicomImage(bytes, 61, 61, attributes, 'jpeg-baseline'));
    expect(jpeg.shape).toEqual([1, 61, 61, 1]);
    expect(jpeg.lossy).toBe(true);
    let error = 0;
    bytes.forEach((v, i) => (error += Math.abs(Number(jpeg.pixels[i]) - v)));
    expect(error / bytes.length).toBeLessThan(3);
  });
});

describe('phantom files round-trip through the public readers (readImage)', () => {
  it('SIIM layout, uncompressed: pixels, masks, labels and splits come back exactly', async () => {
    const root = path.join(dir, 'siim');
    const written = await writePhantomDataset(root, { count: 30, prevalence: 0.4, size: 64, seed: 11, transferSyntax: 'explicit-le', shortcut: { kind: 'tube' } });
    expect(written.format).toBe('siim');
    expect(await readdir(dir)).toEqual(['siim']);
    const dataset = await openSiimDataset(root, { splitFile: written.splitFile });
    expect(dataset.size).toBe(30);
    expect(dataset.problems).toEqual([]);
    const expected = new Map(planPhantom(written.options).map((info) => [info.id, drawPhantom(written.options, info)]));
    for (const item of dataset.items()) {
      const s = expected.get(item.id)!;
      expect(item.label).toBe(s.label);
      expect(item.split).toBe(s.split);
      const loaded = await loadItem(item);
      expect(stableHash(loaded.image.pixels)).toBe(stableHash(s.image.pixels));
      expect(loaded.groundTruth.kind).toBe('mask');
      if (loaded.groundTruth.kind === 'mask') expect(Buffer.from(loaded.groundTruth.mask.data).equals(Buffer.from(s.lesionMask.data))).toBe(true);
    }
  });

  it('RSNA layout, JPEG baseline: boxes, classes and labels come back; pixels within JPEG error', async () => {
    const root = path.join(dir, 'rsna');
    const written = await writePhantomDataset(root, { count: 24, prevalence: 0.5, size: 64, seed: 12, lesion: 'pneumonia' });
    expect(written.format).toBe('rsna');
    const dataset = await openRsnaDataset(root, { splitFile: written.splitFile });
    expect(dataset.size).toBe(24);
    const expected = new Map(planPhantom(written.options).map((info) => [info.id, drawPhantom(written.options, info)]));
    for (const item of dataset.items()) {
      const s = expected.get(item.id)!;
      expect(item.label).toBe(s.label);
      const loaded = await loadItem(item);
      expect(loaded.groundTruth).toEqual({ kind: 'boxes', boxes: s.boxes, width: 64, height: 64 });
      let error = 0;
      s.image.pixels.forEach((v, i) => (error += Math.abs(v - loaded.image.pixels[i]!)));
      expect(error / s.image.pixels.length).toBeLessThan(3 / 255);
    }
  });

  it('refuses to overwrite unless asked, and leaves no partial folders', async () => {
    const root = path.join(dir, 'again');
    await writePhantomDataset(root, { count: 3, size: 32, seed: 1 });
    await expect(writePhantomDataset(root, { count: 3, size: 32, seed: 1 })).rejects.toMatchObject({ code: 'output-exists', file: root });
    await writePhantomDataset(root, { count: 4, size: 32, seed: 2, overwrite: true });
    const dataset = await openSiimDataset(root);
    expect(dataset.size).toBe(4);
    expect((await readdir(dir)).filter((f) => f.startsWith('again'))).toEqual(['again']);
  });

  it('a failing write removes its temporary folder', async () => {
    // A file where the parent folder should be makes mkdir of the target's parent fail at the end.
    await mkdir(path.join(dir, 'blocked'));
    await writeFile(path.join(dir, 'blocked', 'file'), 'x');
    await expect(writePhantomDataset(path.join(dir, 'blocked', 'file', 'out'), { count: 2, size: 32 })).rejects.toThrow();
    expect(await readdir(path.join(dir, 'blocked'))).toEqual(['file']);
  });
});
