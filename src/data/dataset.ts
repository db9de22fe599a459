/**
 * One `Dataset` interface over SIIM-ACR, RSNA, folder and phantom data. Opening a dataset reads only
 * the label, box and split files and lists the image files; pixels and masks are loaded one item at a
 * time (`loadItem`, `loadItems`), so memory stays bounded by what the caller holds.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../core/errors.js';
import type { GroundTruth, Mask, XrayImage } from '../core/types.js';
import type { Size } from '../imaging/rasterize.js';
import { dataErrors, problemFrom, type DataProblem } from './problems.js';
import { readImage } from './read-image.js';
import { readSplitFile, seededSplit, type Split } from './splits.js';

/** Reads one image file into the canonical image (the DICOM/PNG/JPEG reader of `data/read-image.ts` by default). */
export type ImageReader = (path: string) => Promise<XrayImage>;

/** The dataset layouts heatcheck reads. */
export type DatasetFormat = 'siim' | 'rsna' | 'folder' | 'phantom';

/** What ground truth an item has, known without loading pixels: the kind and how many RLE rows or boxes. */
export interface AnnotationSummary {
  readonly kind: GroundTruth['kind'];
  readonly count: number;
}

/** One labelled image of a dataset; pixels and masks load on demand. */
export interface DatasetItem {
  readonly id: string;
  readonly split: Split;
  /** 1 = disease present (pneumothorax, lung opacity, phantom lesion). */
  readonly label: 0 | 1;
  /** The image file path, or a generator id for in-memory items. */
  readonly source: string;
  readonly annotation: AnnotationSummary;
  /** Reads the image. */
  loadImage(): Promise<XrayImage>;
  /** The ground truth for an image of `size` (masks decoded or read at that size, boxes stated at it). */
  loadGroundTruth(size: Size): Promise<GroundTruth>;
}

/** An item with its pixels and its ground truth at the image's size. */
export interface LoadedItem {
  readonly item: DatasetItem;
  readonly image: XrayImage;
  readonly groundTruth: GroundTruth;
}

/** A labelled dataset: item metadata in memory, pixels loaded lazily. */
export interface Dataset {
  readonly format: DatasetFormat;
  /** The dataset folder (or a generator id). */
  readonly root: string;
  /** Number of usable items. */
  readonly size: number;
  /** Rows, files and ids that opening skipped (only with `skipBad`; otherwise opening throws). */
  readonly problems: readonly DataProblem[];
  /** Iterates the items, optionally of one split, in a stable order. */
  items(split?: Split): IterableIterator<DatasetItem>;
}

/** Options every dataset opener takes. */
export interface DatasetOptions {
  /** Reads images; defaults to `readImage` of `data/read-image.ts`. */
  readonly readImage?: ImageReader;
  /** Keep going past bad rows, ids and files, recording each in `dataset.problems`. */
  readonly skipBad?: boolean;
  /** A split file (`index, Image_ID, Split`); without one, ids are split with `seed`. */
  readonly splitFile?: string;
  /** Seed of the split when no split file is given; default 0. */
  readonly seed?: number;
}

/** The default image reader: `readImage` of `data/read-image.ts` (DICOM, PNG, JPEG at native size). */
export const defaultImageReader: ImageReader = (path) => readImage(path);

/** Collects problems while opening a dataset: throws the error, or records it when `skipBad` is set. */
export class ProblemLog {
  readonly problems: DataProblem[] = [];
  constructor(private readonly skipBad: boolean) {}

  /** Throws `error` unless skipping; then records it against `id`. */
  fail(error: DataError, id?: string): void {
    if (!this.skipBad) throw error;
    this.problems.push(problemFrom(error, id));
  }

  /** Adds problems already collected elsewhere (e.g. skipped CSV rows). */
  add(problems: readonly DataProblem[]): void {
    this.problems.push(...problems);
  }
}

/** Makes a `Dataset` from a list of items held in memory (metadata only). */
export function datasetFromItems(format: DatasetFormat, root: string, items: readonly DatasetItem[], problems: readonly DataProblem[]): Dataset {
  return {
    format,
    root,
    size: items.length,
    problems,
    *items(split?: Split) {
      for (const item of items) if (split === undefined || item.split === split) yield item;
    },
  };
}

/** Turns a 0/1-or-any mask image into a binary mask (non-zero = positive), as the paper's AUPRC code does. */
export function maskFromImage(image: XrayImage): Mask {
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) data[i] = image.pixels[i]! > 0 ? 1 : 0;
  return { data, width: image.width, height: image.height };
}

/** Loads one item's image and its ground truth at the image's size, checking that they agree. */
export async function loadItem(item: DatasetItem): Promise<LoadedItem> {
  const image = await item.loadImage();
  const groundTruth = await item.loadGroundTruth({ width: image.width, height: image.height });
  if (groundTruth.kind === 'mask' && (groundTruth.mask.width !== image.width || groundTruth.mask.height !== image.height)) {
    throw dataErrors.maskSize({ file: item.source }, `${groundTruth.mask.width}x${groundTruth.mask.height}`, `${image.width}x${image.height}`);
  }
  return { item, image, groundTruth };
}

/** Options of `loadItems`. */
export interface LoadItemsOptions {
  readonly split?: Split;
  /** Skip items that fail to load, reporting each through `onProblem`, instead of throwing. */
  readonly skipBad?: boolean;
  readonly onProblem?: (problem: DataProblem) => void;
}

/** Loads items one at a time (the caller decides what to keep), skipping bad ones when asked. */
export async function* loadItems(dataset: Dataset, options: LoadItemsOptions = {}): AsyncGenerator<LoadedItem> {
  for (const item of dataset.items(options.split)) {
    let loaded: LoadedItem;
    try {
      loaded = await loadItem(item);
    } catch (error) {
      if (!options.skipBad || !(error instanceof DataError)) throw error;
      options.onProblem?.(problemFrom(error, item.id));
      continue;
    }
    yield loaded;
  }
}

/**
 * Assigns a split to each usable id: from the split file when given (ids without a row are problems
 * and dropped; split rows naming ids absent from the label file, `labelled`, are problems), else a
 * seeded split in label-file order.
 */
export async function resolveSplits(
  ids: readonly string[],
  labelsFile: string,
  options: DatasetOptions,
  log: ProblemLog,
  labelled: ReadonlySet<string> = new Set(ids),
): Promise<Map<string, Split>> {
  if (options.splitFile === undefined) return seededSplit(ids, { seed: options.seed ?? 0 });
  const file = options.splitFile;
  const read = await readSplitFile(file, { skipBad: options.skipBad ?? false });
  log.add(read.problems);
  // Ids dropped for other reasons (a missing file, a bad row) are labelled, so not unknown here.
  for (const [id, line] of read.lines) {
    if (!labelled.has(id)) log.fail(dataErrors.unknownId(file, line, 'Image_ID', id, labelsFile), id);
  }
  const out = new Map<string, Split>();
  for (const id of ids) {
    const split = read.splits.get(id);
    if (split === undefined) log.fail(dataErrors.notInSplit(file, id), id);
    else out.set(id, split);
  }
  return out;
}

/** Lists image files under a folder tree by id (the file name without extension); duplicates are problems. */
export async function listImageFiles(
  dir: string,
  extensions: readonly string[],
  log: ProblemLog,
  what: string,
): Promise<Map<string, string>> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw dataErrors.missingDataset(dir, what, 'check the dataset folder layout (see docs/data.md) or pass the folder explicitly');
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  const sorted = entries
    .filter((e) => e.isFile() && extensions.includes(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of sorted) {
    const id = path.basename(file, path.extname(file));
    const before = files.get(id);
    if (before !== undefined) {
      log.fail(dataErrors.duplicateFile(file, id, before), id);
      continue;
    }
    files.set(id, file);
  }
  return files;
}

