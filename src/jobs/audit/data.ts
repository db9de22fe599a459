/**
 * The audit's data step: opens the configured dataset, chooses the positive test images (the paper's
 * selection), and writes them, their ground-truth masks and the average-mask prior at the model input
 * size into the step folder as Float32 map files. Images get pseudonymous keys (`img-001`, ...); dataset
 * ids never leave this step except as a hash.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DataError } from '../../core/errors.js';
import { stableHash } from '../../core/hash.js';
import type { GroundTruth, Mask } from '../../core/types.js';
import type { AuditConfig, CriteriaSettings } from '../../config/index.js';
import { createAverageMaskAccumulator, groundTruthMask, selectImages, type Selection } from '../../criteria/index.js';
import { loadItem, openDataset, openPhantomDataset, type Dataset, type DatasetItem } from '../../data/index.js';
import { resizeImage, resizeMask } from '../../imaging/resize.js';
import { createMapWriter } from './map-store.js';

/** File names inside the data step folder. */
export const DATA_FILES = Object.freeze({ images: 'images.f32', truth: 'truth.f32', prior: 'prior.f32' });

/** What the data step returns (JSON). */
export interface PreparedImages {
  readonly size: number;
  /** Pseudonymous keys, in selection (test-split) order. */
  readonly keys: string[];
  /** Labels of the selected images (all 1: positives). */
  readonly labels: number[];
  readonly available: number;
  readonly short: boolean;
  /** Images averaged into the prior (train + val). */
  readonly priorImages: number;
  readonly counts: { readonly train: number; readonly val: number; readonly test: number; readonly testPositives: number };
  /** Hashes of the dataset's item list and of the selected pixels and masks. */
  readonly hashes: { readonly items: string; readonly images: string; readonly truth: string };
  readonly problems: number;
}

/** Opens the dataset a config names; relative paths resolve against `baseDir` (the config file's folder). */
export async function openAuditDataset(config: AuditConfig, baseDir: string): Promise<Dataset> {
  const d = config.dataset;
  if (d.format === 'phantom') {
    const p = d.phantom ?? {};
    return openPhantomDataset({
      size: d.imageSize,
      seed: config.seed,
      lesion: p.lesion ?? 'pneumonia',
      ...(p.count !== undefined ? { count: p.count } : {}),
      ...(p.prevalence !== undefined ? { prevalence: p.prevalence } : {}),
      ...(p.noise !== undefined ? { noise: p.noise } : {}),
      ...(p.shortcut ? { shortcut: { kind: p.shortcut.kind, ...(p.shortcut.positiveRate !== undefined ? { positiveRate: p.shortcut.positiveRate } : {}), ...(p.shortcut.negativeRate !== undefined ? { negativeRate: p.shortcut.negativeRate } : {}) } } : {}),
    });
  }
  const at = (file: string | undefined) => (file === undefined ? undefined : path.resolve(baseDir, file));
  const options = {
    format: d.format,
    seed: config.seed,
    skipBad: d.skipBad,
    splitFile: at(d.splitFile),
    labelsFile: at(d.labelsFile),
    imagesDir: at(d.imagesDir),
    masksDir: at(d.masksDir),
    boxesFile: at(d.boxesFile),
    classFile: at(d.classFile),
    classes: d.classes,
  };
  // exactOptionalPropertyTypes: pass only the fields that are set.
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return openDataset(path.resolve(baseDir, d.root!), defined);
}

/** The size ground truth is stated at before resizing: the phantom's own, Kaggle's 1024 for SIIM and RSNA, else the image's. */
async function nativeSize(dataset: Dataset, config: AuditConfig, item: DatasetItem): Promise<{ width: number; height: number }> {
  if (dataset.format === 'phantom') return { width: config.dataset.imageSize, height: config.dataset.imageSize };
  if (dataset.format === 'siim' || dataset.format === 'rsna') return { width: 1024, height: 1024 };
  const image = await item.loadImage();
  return { width: image.width, height: image.height };
}

/** A ground truth as a binary mask at `size` x `size` (masks resized as configured, boxes rasterised by the box rule). */
export function truthAt(truth: GroundTruth, size: number, config: AuditConfig, settings: CriteriaSettings): Mask | undefined {
  if (truth.kind === 'none') return undefined;
  if (truth.kind === 'mask') {
    const m = truth.mask;
    if (m.width === size && m.height === size) return m;
    return { data: resizeMask(m.data, m.width, m.height, size, size, config.dataset.maskResize), width: size, height: size };
  }
  return groundTruthMask(truth, { width: size, height: size }, settings.groundTruth);
}

/** The pseudonymous key of the k-th selected image (0-based): `img-001`, `img-002`, ... */
export const imageKey = (k: number): string => `img-${String(k + 1).padStart(3, '0')}`;

/** The hash of a dataset's item list recorded in results.json (`inputs.dataset.items`). */
export const datasetItemsHash = (items: readonly DatasetItem[]): string => stableHash(items.map((i) => [i.id, i.split, i.label]));

/**
 * The images an audit explains: the positive test items chosen by the selection rule, in key order
 * (the k-th is `imageKey(k)`). The DICOM export calls it again to find each key's source image.
 */
export function selectAuditItems(dataset: Dataset, settings: CriteriaSettings): { readonly items: DatasetItem[]; readonly candidates: number; readonly selection: Selection<DatasetItem> } {
  const items = [...dataset.items()];
  const candidates = items.filter((i) => i.split === 'test' && i.label === 1);
  if (candidates.length === 0) {
    throw new DataError('audit-no-positives', 'the test split has no positive images, so there is nothing to explain or score', { file: dataset.root }, { hint: 'check the split file and the labels' });
  }
  return { items, candidates: candidates.length, selection: selectImages(candidates, settings.selection) };
}

/** Runs the data step into `dir`. */
export async function prepareImages(dataset: Dataset, config: AuditConfig, settings: CriteriaSettings, dir: string, progress: (done: number, total: number) => void): Promise<PreparedImages> {
  const size = config.dataset.imageSize;
  const { items, candidates, selection } = selectAuditItems(dataset, settings);
  const count = (split: string) => items.filter((i) => i.split === split).length;
  const imagesHash = createHash('sha256');
  const truthHash = createHash('sha256');
  const images = createMapWriter(path.join(dir, DATA_FILES.images), size, size);
  const truths = createMapWriter(path.join(dir, DATA_FILES.truth), size, size);
  const keys: string[] = [];
  const total = selection.items.length;
  try {
    for (const [k, item] of selection.items.entries()) {
      const { image, groundTruth } = await loadItem(item);
      const pixels = image.width === size && image.height === size ? Float32Array.from(image.pixels) : resizeImage(Float32Array.from(image.pixels), image.width, image.height, { width: size, height: size });
      const mask = truthAt(groundTruth, size, config, settings);
      if (!mask) throw new DataError('audit-no-ground-truth', `positive test image ${keys.length + 1} has no ground truth to score maps against`, { file: item.source });
      const truth = Float32Array.from(mask.data, (v) => (v ? 1 : 0));
      images.append(pixels);
      truths.append(truth);
      imagesHash.update(new Uint8Array(pixels.buffer));
      truthHash.update(new Uint8Array(truth.buffer));
      keys.push(imageKey(k));
      progress(k + 1, total);
    }
  } finally {
    images.close();
    truths.close();
  }
  // The average-mask prior: mean ground truth over train + val (negatives add zeros).
  const prior = createAverageMaskAccumulator({ width: size, height: size }, settings.groundTruth);
  for (const item of items) {
    if (item.split === 'test') continue;
    if (item.label === 0) {
      prior.add({ kind: 'none' });
      continue;
    }
    const truth = await item.loadGroundTruth(await nativeSize(dataset, config, item));
    const mask = truthAt(truth, size, config, settings);
    prior.add(mask ?? { kind: 'none' });
  }
  const priorWriter = createMapWriter(path.join(dir, DATA_FILES.prior), size, size);
  priorWriter.append(prior.count > 0 ? prior.result().data : new Float32Array(size * size));
  priorWriter.close();
  return {
    size,
    keys,
    labels: selection.items.map((i) => i.label),
    available: selection.available,
    short: selection.short,
    priorImages: prior.count,
    counts: { train: count('train'), val: count('val'), test: count('test'), testPositives: candidates },
    hashes: {
      items: datasetItemsHash(items),
      images: imagesHash.digest('hex'),
      truth: truthHash.digest('hex'),
    },
    problems: dataset.problems.length,
  };
}
