import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import type { XrayImage } from '../../src/core/types.js';
import { loadItem, loadItems } from '../../src/data/dataset.js';
import { openFolderDataset } from '../../src/data/folder.js';
import type { DataProblem } from '../../src/data/problems.js';
import { openRsnaDataset } from '../../src/data/rsna.js';
import { openSiimDataset } from '../../src/data/siim.js';
import { readSplitFile, seededSplit } from '../../src/data/splits.js';
import { flatImage, memoryReader } from './helpers/readers.js';

const base = await mkdtemp(path.join(tmpdir(), 'heatcheck-datasets-'));
afterAll(() => rm(base, { recursive: true, force: true }));
let counter = 0;

/** Writes a small dataset folder from a map of relative path -> contents; returns its root. */
async function fixture(files: Record<string, string>): Promise<string> {
  const root = path.join(base, `d${counter++}`);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe(code);
    return error as DataError;
  }
  throw new Error(`expected a DataError ${code}`);
}

/** A reader that returns a flat 4x4 image for any path (pixels do not matter to label tests). */
const anyImage = (size = 4) => async (p: string): Promise<XrayImage> => flatImage(size, size, p);

const siimCsv = ['ImageId, EncodedPixels', 'a, -1', 'b, 0 1', 'b, 3 1', 'c, 5 2', ''].join('\n');
const siimTree = {
  'dicom-images-train/s1/r1/a.dcm': '',
  'dicom-images-train/s2/r2/b.dcm': '',
  'dicom-images-train/s3/r3/c.dcm': '',
};

describe('SIIM-ACR dataset', () => {
  it('reads labels, unions several rows per image and finds files in the nested tree', async () => {
    const root = await fixture({ 'train-rle.csv': siimCsv, ...siimTree, 'splits.csv': 'index,Image_ID,Split\n0,a,train\n1,b.png,val\n2,c,test\n' });
    const dataset = await openSiimDataset(root, { readImage: anyImage(), splitFile: path.join(root, 'splits.csv') });
    expect(dataset.format).toBe('siim');
    const items = [...dataset.items()];
    expect(items.map((i) => [i.id, i.label, i.split, i.annotation.count])).toEqual([
      ['a', 0, 'train', 0],
      ['b', 1, 'val', 2],
      ['c', 1, 'test', 1],
    ]);
    expect(items[1]!.source).toBe(path.join(root, 'dicom-images-train/s2/r2/b.dcm'));
    const b = await loadItem(items[1]!);
    // 4x4, column-major: k = 0 -> (0, 0), k = 3 -> (3, 0).
    expect(b.groundTruth.kind === 'mask' && Array.from(b.groundTruth.mask.data)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect([...dataset.items('val')].map((i) => i.id)).toEqual(['b']);
  });

  it('without a split file, splits with the seed, reproducibly', async () => {
    const root = await fixture({ 'train-rle.csv': siimCsv, ...siimTree });
    const one = await openSiimDataset(root, { readImage: anyImage(), seed: 3 });
    const two = await openSiimDataset(root, { readImage: anyImage(), seed: 3 });
    expect([...one.items()].map((i) => i.split)).toEqual([...two.items()].map((i) => i.split));
  });

  it('refuses a bad RLE naming the file, line and column; skipBad drops the image and reports it', async () => {
    const root = await fixture({ 'train-rle.csv': 'ImageId, EncodedPixels\na, -1\nb, 1 x\nc, 5 2\n', ...siimTree });
    const error = await rejectsWith(openSiimDataset(root, { readImage: anyImage() }), 'rle-token');
    expect(error.file).toBe(path.join(root, 'train-rle.csv'));
    expect(error.field).toBe('line 3 › " EncodedPixels"');
    const dataset = await openSiimDataset(root, { readImage: anyImage(), skipBad: true });
    expect([...dataset.items()].map((i) => i.id)).toEqual(['a', 'c']);
    expect(dataset.problems).toMatchObject([{ kind: 'rle-token', id: 'b' }]);
  });

  it('reports missing DICOM files, conflicting rows and missing columns', async () => {
    const missing = await fixture({ 'train-rle.csv': siimCsv, 'dicom-images-train/s1/r1/a.dcm': '' });
    await rejectsWith(openSiimDataset(missing, { readImage: anyImage() }), 'missing-file');
    const skipped = await openSiimDataset(missing, { readImage: anyImage(), skipBad: true });
    expect(skipped.problems.map((p) => [p.kind, p.id])).toEqual([
      ['missing-file', 'b'],
      ['missing-file', 'c'],
    ]);
    const conflicting = await fixture({ 'train-rle.csv': 'ImageId, EncodedPixels\na, 1 2\na, -1\n', ...siimTree });
    await rejectsWith(openSiimDataset(conflicting, { readImage: anyImage() }), 'conflicting-labels');
    const columns = await fixture({ 'train-rle.csv': 'ImageId,Mask\na,-1\n', ...siimTree });
    await rejectsWith(openSiimDataset(columns, { readImage: anyImage() }), 'csv-missing-columns');
    await rejectsWith(openSiimDataset(path.join(base, 'nowhere')), 'missing-file');
  });

  it('an RLE that runs past the loaded image fails at load, and loadItems can skip it', async () => {
    const root = await fixture({ 'train-rle.csv': 'ImageId, EncodedPixels\na, -1\nb, 10 7\n', ...siimTree });
    const dataset = await openSiimDataset(root, { readImage: anyImage() });
    const b = [...dataset.items()].find((i) => i.id === 'b')!;
    await rejectsWith(loadItem(b), 'rle-past-image');
    const problems: DataProblem[] = [];
    const loaded = [];
    for await (const item of loadItems(dataset, { skipBad: true, onProblem: (p) => problems.push(p) })) loaded.push(item.item.id);
    expect(loaded).toEqual(['a']);
    expect(problems).toMatchObject([{ kind: 'rle-past-image', id: 'b', field: 'line 3 › " EncodedPixels"' }]);
  });

  it('checks split files: unknown ids, ids without a row, bad values, duplicates', async () => {
    const root = await fixture({
      'train-rle.csv': siimCsv,
      ...siimTree,
      'unknown.csv': 'index,Image_ID,Split\n0,a,train\n1,b,val\n2,c,test\n3,zzz,test\n',
      'short.csv': 'index,Image_ID,Split\n0,a,train\n1,b,val\n',
      'badvalue.csv': 'index,Image_ID,Split\n0,a,train\n1,b,holdout\n',
      'dupe.csv': 'index,Image_ID,Split\n0,a,train\n1,a,val\n',
    });
    const open = (name: string, skipBad = false) => openSiimDataset(root, { readImage: anyImage(), splitFile: path.join(root, name), skipBad });
    const unknown = await rejectsWith(open('unknown.csv'), 'unknown-id');
    expect(unknown.field).toBe('line 5 › "Image_ID"');
    await rejectsWith(open('short.csv'), 'not-in-split');
    expect((await open('short.csv', true)).size).toBe(2);
    await rejectsWith(open('badvalue.csv'), 'bad-value');
    await rejectsWith(readSplitFile(path.join(root, 'dupe.csv')), 'duplicate-id');
  });
});

const rsnaLabels = [
  'patientId,x,y,width,height,Target',
  'p1,,,,,0',
  'p2,10,20,30,40,1',
  'p2,50,60,10,10,1',
  'p3,,,,,0',
  '',
].join('\n');
const rsnaClasses = ['patientId,class', 'p1,Normal', 'p2,Lung Opacity', 'p2,Lung Opacity', 'p3,No Lung Opacity / Not Normal', ''].join('\n');
const rsnaImages = { 'stage_2_train_images/p1.dcm': '', 'stage_2_train_images/p2.dcm': '', 'stage_2_train_images/p3.dcm': '' };

describe('RSNA pneumonia dataset', () => {
  it('keeps Lung Opacity vs Normal as the paper does, one box per row', async () => {
    const root = await fixture({ 'stage_2_train_labels.csv': rsnaLabels, 'stage_2_detailed_class_info.csv': rsnaClasses, ...rsnaImages });
    const dataset = await openRsnaDataset(root, { readImage: anyImage(1024) });
    expect([...dataset.items()].map((i) => [i.id, i.label, i.annotation.count])).toEqual([
      ['p1', 0, 0],
      ['p2', 1, 2],
    ]);
    const p2 = await loadItem([...dataset.items()][1]!);
    expect(p2.groundTruth).toEqual({
      kind: 'boxes',
      boxes: [
        { x: 10, y: 20, width: 30, height: 40 },
        { x: 50, y: 60, width: 10, height: 10 },
      ],
      width: 1024,
      height: 1024,
    });
    const all = await openRsnaDataset(root, { readImage: anyImage(1024), classes: 'all' });
    expect(all.size).toBe(3);
  });

  it('refuses boxes on negative rows, empty boxes on positive rows, repeated negatives and class conflicts', async () => {
    const cases: [string, string, string][] = [
      ['patientId,x,y,width,height,Target\np1,1,2,3,4,0\n', 'bad-value', 'line 2 › "x"'],
      ['patientId,x,y,width,height,Target\np1,,,,,1\n', 'bad-value', 'line 2 › "x"'],
      ['patientId,x,y,width,height,Target\np1,1,2,0,4,1\n', 'bad-value', 'line 2 › "width"'],
      ['patientId,x,y,width,height,Target\np1,1,2,3,4,yes\n', 'bad-value', 'line 2 › "Target"'],
      ['patientId,x,y,width,height,Target\np1,,,,,0\np1,,,,,0\n', 'duplicate-id', 'line 3 › "patientId"'],
      ['patientId,x,y,width,height,Target\np1,,,,,0\np1,1,2,3,4,1\n', 'conflicting-labels', 'line 3 › "Target"'],
      ['patientId,x,y,Target\np1,,,0\n', 'csv-missing-columns', 'header'],
    ];
    for (const [labels, code, field] of cases) {
      const root = await fixture({ 'stage_2_train_labels.csv': labels, ...rsnaImages });
      const error = await rejectsWith(openRsnaDataset(root, { readImage: anyImage() }), code);
      expect(error.field).toBe(field);
      const skipped = await openRsnaDataset(root, { readImage: anyImage(), skipBad: true }).catch((e: DataError) => e);
      if (code !== 'csv-missing-columns') expect((skipped as unknown as { problems: DataProblem[] }).problems[0]!.kind).toBe(code);
    }
    const mismatch = await fixture({
      'stage_2_train_labels.csv': rsnaLabels,
      'stage_2_detailed_class_info.csv': 'patientId,class\np1,Lung Opacity\np2,Lung Opacity\np3,Normal\n',
      ...rsnaImages,
    });
    await rejectsWith(openRsnaDataset(mismatch, { readImage: anyImage() }), 'conflicting-labels');
  });

  it('a box outside the loaded image fails at load', async () => {
    const root = await fixture({ 'stage_2_train_labels.csv': 'patientId,x,y,width,height,Target\np2,1000,20,30,40,1\n', ...rsnaImages });
    const dataset = await openRsnaDataset(root, { readImage: anyImage(1024) });
    await rejectsWith(loadItem([...dataset.items()][0]!), 'box-outside');
  });
});

describe('folder dataset', () => {
  const maskOf = (values: number[], size: number, source: string): XrayImage => ({ ...flatImage(size, size, source), pixels: Float32Array.from(values) });

  it('reads images, mask images and a split column', async () => {
    const root = await fixture({
      'labels.csv': 'id,label,split\nx1,1,train\nx2,0,test\n',
      'images/x1.png': '',
      'images/x2.dcm': '',
      'masks/x1.png': '',
    });
    const images = {
      [path.join(root, 'images/x1.png')]: flatImage(2, 2),
      [path.join(root, 'images/x2.dcm')]: flatImage(2, 2),
      [path.join(root, 'masks/x1.png')]: maskOf([0, 1, 0.2, 0], 2, 'm'),
    };
    const dataset = await openFolderDataset(root, { readImage: memoryReader(images) });
    const [x1, x2] = [...dataset.items()];
    expect([x1!.split, x2!.split]).toEqual(['train', 'test']);
    const loaded = await loadItem(x1!);
    expect(loaded.groundTruth.kind === 'mask' && Array.from(loaded.groundTruth.mask.data)).toEqual([0, 1, 1, 0]);
    const negative = await loadItem(x2!);
    expect(negative.groundTruth.kind === 'mask' && Array.from(negative.groundTruth.mask.data)).toEqual([0, 0, 0, 0]);
  });

  it('refuses a mask of the wrong size and a positive without a mask', async () => {
    const root = await fixture({ 'labels.csv': 'id,label\nx1,1\n', 'images/x1.png': '', 'masks/x1.png': '' });
    const images = { [path.join(root, 'images/x1.png')]: flatImage(4, 4), [path.join(root, 'masks/x1.png')]: flatImage(3, 3) };
    const dataset = await openFolderDataset(root, { readImage: memoryReader(images) });
    const error = await rejectsWith(loadItem([...dataset.items()][0]!), 'mask-size');
    expect(error.file).toBe(path.join(root, 'masks/x1.png'));
    const noMask = await fixture({ 'labels.csv': 'id,label\nx1,1\n', 'images/x1.png': '', 'masks/other.png': '' });
    await rejectsWith(openFolderDataset(noMask, { readImage: memoryReader({}) }), 'missing-file');
  });

  it('reads a boxes CSV and refuses unknown ids and boxes on negatives', async () => {
    const root = await fixture({ 'labels.csv': 'id,label\nx1,1\nx2,0\n', 'images/x1.png': '', 'images/x2.png': '', 'boxes.csv': 'id,x,y,width,height\nx1,1,1,2,2\n' });
    const dataset = await openFolderDataset(root, { readImage: anyImage(8) });
    const loaded = await loadItem([...dataset.items()].find((i) => i.id === 'x1')!);
    expect(loaded.groundTruth).toEqual({ kind: 'boxes', boxes: [{ x: 1, y: 1, width: 2, height: 2 }], width: 8, height: 8 });
    const unknown = await fixture({ 'labels.csv': 'id,label\nx1,1\n', 'images/x1.png': '', 'boxes.csv': 'id,x,y,width,height\nq,1,1,2,2\n' });
    await rejectsWith(openFolderDataset(unknown, { readImage: anyImage(8) }), 'unknown-id');
    const onNegative = await fixture({ 'labels.csv': 'id,label\nx1,0\n', 'images/x1.png': '', 'boxes.csv': 'id,x,y,width,height\nx1,1,1,2,2\n' });
    await rejectsWith(openFolderDataset(onNegative, { readImage: anyImage(8) }), 'conflicting-labels');
    const dupes = await fixture({ 'labels.csv': 'id,label\nx1,0\nx1,1\n', 'images/x1.png': '' });
    await rejectsWith(openFolderDataset(dupes, { readImage: anyImage(8) }), 'duplicate-id');
  });
});

describe('seeded split', () => {
  it('sizes test and val as the paper\'s two 10% splits and repeats with the seed', () => {
    const ids = Array.from({ length: 10675 }, (_, i) => `id${i}`);
    const split = seededSplit(ids, { seed: 1 });
    const count = (s: string) => [...split.values()].filter((v) => v === s).length;
    // The paper's SIIM split: train 8,646 / val 961 / test 1,068.
    expect([count('train'), count('val'), count('test')]).toEqual([8646, 961, 1068]);
    expect([...seededSplit(ids, { seed: 1 }).entries()]).toEqual([...split.entries()]);
    expect([...seededSplit(ids, { seed: 2 }).entries()]).not.toEqual([...split.entries()]);
  });
});
