/**
 * The seeded phantom chest X-ray dataset: options with defaults written once, per-item facts (id,
 * label, split, shortcut) fixed up front from the seed, and pixels drawn on demand so any item can be
 * regenerated alone and identically. Serves items in memory through the `Dataset` interface.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import type { Box, GroundTruth, Mask, XrayImage } from '../../core/types.js';
import type { Size } from '../../imaging/rasterize.js';
import { datasetFromItems, type Dataset, type DatasetItem } from '../dataset.js';
import { dataErrors } from '../problems.js';
import { seededSplit, type Split } from '../splits.js';
import { renderPhantom, type PhantomLesion, type PhantomShortcutKind } from './render.js';

/** A planted shortcut: a marker whose presence correlates with the label. */
export interface PhantomShortcutOptions {
  /** `tube` (a chest drain crossing a lung) or `token` (a lead "L" marker in a corner). */
  readonly kind: PhantomShortcutKind;
  /** Probability that a positive image carries the marker; default 0.9. */
  readonly positiveRate?: number;
  /** Probability that a negative image carries the marker; default 0.1. */
  readonly negativeRate?: number;
}

/** Options of the phantom generator; every field has a default. */
export interface PhantomOptions {
  /** Number of images; default 200. */
  readonly count?: number;
  /** Fraction of positives (exactly `round(prevalence * count)`); default 0.3. */
  readonly prevalence?: number;
  /** Image size: a number for square images or {width, height}; default 256. */
  readonly size?: number | Size;
  /** Lesion kind of the positives; default `pneumothorax` (masks); `pneumonia` gives boxes. */
  readonly lesion?: PhantomLesion;
  /** Lesion size range as fractions of the image width; default [0.035, 0.08] (pneumothorax) or [0.04, 0.08] (pneumonia). */
  readonly lesionSize?: readonly [number, number];
  /** A planted shortcut marker; default none. */
  readonly shortcut?: PhantomShortcutOptions;
  /** Detector noise standard deviation in [0, 1] units; default 0.02. */
  readonly noise?: number;
  /** Seed of everything; default 0. */
  readonly seed?: number;
  /** Test and validation fractions of the seeded split; default 0.1 and 0.1 (the paper's). */
  readonly split?: { readonly test?: number; readonly val?: number };
}

/** The options with every default filled in, as recorded in outputs. */
export interface ResolvedPhantomOptions {
  readonly count: number;
  readonly prevalence: number;
  readonly width: number;
  readonly height: number;
  readonly lesion: PhantomLesion;
  readonly lesionSize: readonly [number, number];
  readonly shortcut: { readonly kind: PhantomShortcutKind; readonly positiveRate: number; readonly negativeRate: number } | undefined;
  readonly noise: number;
  readonly seed: number;
  readonly split: { readonly test: number; readonly val: number };
}

/** Fills in defaults and checks ranges; a bad option is a `UsageError` naming it. */
export function resolvePhantomOptions(options: PhantomOptions = {}): ResolvedPhantomOptions {
  const bad = (field: string, value: unknown, expected: string): never => {
    throw new UsageError('phantom-option', `phantom option ${field} is ${JSON.stringify(value)}; expected ${expected}`);
  };
  const count = options.count ?? 200;
  if (!Number.isInteger(count) || count < 1) bad('count', count, 'a positive integer');
  const prevalence = options.prevalence ?? 0.3;
  if (!(prevalence >= 0 && prevalence <= 1)) bad('prevalence', prevalence, 'a number in [0, 1]');
  const size = typeof options.size === 'number' || options.size === undefined ? { width: options.size ?? 256, height: options.size ?? 256 } : options.size;
  if (![size.width, size.height].every((s) => Number.isInteger(s) && s >= 32 && s <= 4096)) bad('size', options.size, 'integers from 32 to 4096');
  const lesion = options.lesion ?? 'pneumothorax';
  if (lesion !== 'pneumothorax' && lesion !== 'pneumonia') bad('lesion', lesion, 'pneumothorax or pneumonia');
  const lesionSize = options.lesionSize ?? (lesion === 'pneumothorax' ? [0.035, 0.08] : [0.04, 0.08]);
  if (!(lesionSize.length === 2 && lesionSize[0] > 0 && lesionSize[0] <= lesionSize[1] && lesionSize[1] <= 0.25)) {
    bad('lesionSize', lesionSize, '[min, max] with 0 < min <= max <= 0.25 (fractions of the image width)');
  }
  let shortcut: ResolvedPhantomOptions['shortcut'];
  if (options.shortcut) {
    const { kind, positiveRate = 0.9, negativeRate = 0.1 } = options.shortcut;
    if (kind !== 'tube' && kind !== 'token') bad('shortcut.kind', kind, 'tube or token');
    if (!(positiveRate >= 0 && positiveRate <= 1)) bad('shortcut.positiveRate', positiveRate, 'a number in [0, 1]');
    if (!(negativeRate >= 0 && negativeRate <= 1)) bad('shortcut.negativeRate', negativeRate, 'a number in [0, 1]');
    shortcut = { kind, positiveRate, negativeRate };
  }
  const noise = options.noise ?? 0.02;
  if (!(noise >= 0 && noise <= 0.5)) bad('noise', noise, 'a number in [0, 0.5]');
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) bad('seed', seed, 'a safe integer');
  const split = { test: options.split?.test ?? 0.1, val: options.split?.val ?? 0.1 };
  if (!(split.test >= 0 && split.test < 1 && split.val >= 0 && split.val < 1)) bad('split', options.split, 'fractions in [0, 1)');
  return { count, prevalence, width: size.width, height: size.height, lesion, lesionSize: [lesionSize[0], lesionSize[1]], shortcut, noise, seed, split };
}

/** What is known of a phantom item before drawing it. */
export interface PhantomItemInfo {
  readonly index: number;
  /** SIIM-style SOP Instance UID (pneumothorax) or RSNA-style patient id (pneumonia). */
  readonly id: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly label: 0 | 1;
  readonly split: Split;
  readonly hasShortcut: boolean;
}

/** One drawn phantom image with all its ground truth. */
export interface PhantomSample extends PhantomItemInfo {
  readonly image: XrayImage;
  /** Lesion pixels (empty for negatives). */
  readonly lesionMask: Mask;
  /** Separate lesion regions, one mask each (SIIM rows / RSNA boxes). */
  readonly lesionParts: readonly Uint8Array[];
  /** Pneumonia boxes in pixels of the image (empty for pneumothorax and negatives). */
  readonly boxes: readonly Box[];
  /** Pixels of the shortcut marker (empty when absent). */
  readonly shortcutMask: Mask;
  /** The ground truth the datasets serve: a mask (pneumothorax) or boxes (pneumonia). */
  readonly groundTruth: GroundTruth;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A DICOM UID under the UUID-derived root 2.25 (PS3.5 B.2), deterministic in the seed, index and role. */
function uid(seed: number, index: number, role: string): string {
  return `2.25.${BigInt(`0x${digest(`heatcheck-phantom:${seed}:${index}:${role}`).slice(0, 30)}`).toString()}`;
}

/** A UUID-shaped id like RSNA's patientIds. */
function patientId(seed: number, index: number): string {
  const h = digest(`heatcheck-phantom:${seed}:${index}:patient`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Fixes ids, labels, splits and shortcut presence for every item (cheap: draws no pixels). */
export function planPhantom(options: ResolvedPhantomOptions): PhantomItemInfo[] {
  const rng = createRng(options.seed);
  const positives = Math.round(options.prevalence * options.count);
  const labels = rng.fork('labels').shuffle(Array.from({ length: options.count }, (_, i) => (i < positives ? 1 : 0) as 0 | 1));
  const ids = labels.map((_, i) => (options.lesion === 'pneumonia' ? patientId(options.seed, i) : uid(options.seed, i, 'instance')));
  const splits = seededSplit(ids, { seed: options.seed, test: options.split.test, val: options.split.val });
  const shortcutRng = rng.fork('shortcut-presence');
  return labels.map((label, index) => {
    const draw = shortcutRng.uniform();
    const s = options.shortcut;
    return {
      index,
      id: ids[index]!,
      studyUid: uid(options.seed, index, 'study'),
      seriesUid: uid(options.seed, index, 'series'),
      label,
      split: splits.get(ids[index]!)!,
      hasShortcut: s !== undefined && draw < (label === 1 ? s.positiveRate : s.negativeRate),
    };
  });
}

/** Draws one planned item (the same pixels every time for the same options and index). */
export function drawPhantom(options: ResolvedPhantomOptions, info: PhantomItemInfo): PhantomSample {
  const { width, height } = options;
  const rendered = renderPhantom(createRng(options.seed).fork(`item:${info.index}`), {
    width,
    height,
    lesion: info.label === 1 ? options.lesion : undefined,
    lesionSize: options.lesionSize,
    shortcut: info.hasShortcut ? options.shortcut!.kind : undefined,
    noise: options.noise,
  });
  const image: XrayImage = {
    pixels: rendered.pixels,
    width,
    height,
    source: `phantom:${options.seed}:${info.index}`,
    metadata: { generator: 'heatcheck-phantom', lesion: options.lesion, index: info.index, bitsStored: 8, photometric: 'MONOCHROME2' },
    warnings: [],
  };
  const lesionMask = { data: rendered.lesionMask, width, height };
  const groundTruth: GroundTruth =
    options.lesion === 'pneumothorax' ? { kind: 'mask', mask: lesionMask } : { kind: 'boxes', boxes: rendered.boxes, width, height };
  return {
    ...info,
    image,
    lesionMask,
    lesionParts: rendered.lesionParts,
    boxes: rendered.boxes,
    shortcutMask: { data: rendered.shortcutMask, width, height },
    groundTruth,
  };
}

/** Yields phantom samples one at a time (pixels included), in index order. */
export function* generatePhantom(options: PhantomOptions = {}): Generator<PhantomSample> {
  const resolved = resolvePhantomOptions(options);
  for (const info of planPhantom(resolved)) yield drawPhantom(resolved, info);
}

/** The phantom as an in-memory `Dataset`: items draw their pixels when loaded (the last one is kept for `loadGroundTruth`). */
export function openPhantomDataset(options: PhantomOptions = {}): Dataset {
  const resolved = resolvePhantomOptions(options);
  let last: PhantomSample | undefined;
  const draw = (info: PhantomItemInfo): PhantomSample => {
    if (last?.index !== info.index) last = drawPhantom(resolved, info);
    return last;
  };
  const items: DatasetItem[] = planPhantom(resolved).map((info) => ({
    id: info.id,
    split: info.split,
    label: info.label,
    source: `phantom:${resolved.seed}:${info.index}`,
    // Counts are only known after drawing; 0 or 1 here says whether a lesion exists.
    annotation: { kind: resolved.lesion === 'pneumothorax' ? 'mask' : 'boxes', count: info.label },
    loadImage: async () => draw(info).image,
    loadGroundTruth: async (size: Size) => {
      if (size.width !== resolved.width || size.height !== resolved.height) {
        throw dataErrors.maskSize({ file: `phantom:${resolved.seed}:${info.index}` }, `${resolved.width}x${resolved.height}`, `${size.width}x${size.height}`);
      }
      return draw(info).groundTruth;
    },
  }));
  return datasetFromItems('phantom', `phantom:${resolved.seed}`, items, []);
}
