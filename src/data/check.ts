/**
 * Dataset validation: counts per split (images, positives, images with masks, boxes), every problem
 * grouped by kind with its first examples, and optionally every image and mask actually loaded (which
 * finds unreadable files, masks of the wrong size and RLE runs past the image).
 */
import { DataError } from '../core/errors.js';
import type { ProgressReporter } from '../core/types.js';
import { loadItem, type Dataset } from './dataset.js';
import { problemFrom, type DataProblem } from './problems.js';
import { SPLITS, type Split } from './splits.js';

/** Counts of one split (or of all). */
export interface SplitCounts {
  images: number;
  positives: number;
  negatives: number;
  /** Images whose ground truth is a non-empty mask (SIIM rows, mask files, phantom lesions). */
  masks: number;
  /** Boxes over all images. */
  boxes: number;
}

/** Problems of one kind: how many and the first few. */
export interface ProblemGroup {
  readonly kind: string;
  readonly count: number;
  readonly examples: readonly DataProblem[];
}

/** What `checkDataset` found. */
export interface DatasetCheckReport {
  readonly format: string;
  readonly root: string;
  /** Whether every image and mask was loaded (false with `readImages: false`). */
  readonly imagesRead: boolean;
  readonly total: SplitCounts;
  readonly splits: Readonly<Record<Split, SplitCounts>>;
  /** Image sizes seen, `WxH` -> count (only when images were read). */
  readonly imageSizes: Readonly<Record<string, number>>;
  readonly problemCount: number;
  readonly problems: readonly ProblemGroup[];
}

/** Options of `checkDataset`. */
export interface CheckOptions {
  /** Load every image and its ground truth; default true. */
  readonly readImages?: boolean;
  /** Examples kept per problem kind; default 3. */
  readonly examples?: number;
  readonly onProgress?: ProgressReporter;
}

function emptyCounts(): SplitCounts {
  return { images: 0, positives: 0, negatives: 0, masks: 0, boxes: 0 };
}

/** Validates a dataset opened with `skipBad` (so opening problems are in `dataset.problems`) and reports counts and problems. */
export async function checkDataset(dataset: Dataset, options: CheckOptions = {}): Promise<DatasetCheckReport> {
  const readImages = options.readImages ?? true;
  const problems: DataProblem[] = [...dataset.problems];
  const splits = Object.fromEntries(SPLITS.map((s) => [s, emptyCounts()])) as Record<Split, SplitCounts>;
  const total = emptyCounts();
  const imageSizes: Record<string, number> = {};
  let done = 0;
  for (const item of dataset.items()) {
    let masks = item.annotation.kind === 'mask' && item.annotation.count > 0 ? 1 : 0;
    let boxes = item.annotation.kind === 'boxes' ? item.annotation.count : 0;
    if (readImages) {
      try {
        const loaded = await loadItem(item);
        const size = `${loaded.image.width}x${loaded.image.height}`;
        imageSizes[size] = (imageSizes[size] ?? 0) + 1;
        const truth = loaded.groundTruth;
        if (truth.kind === 'mask') {
          masks = truth.mask.data.includes(1) ? 1 : 0;
          if (masks !== item.label) {
            problems.push({
              kind: item.label === 1 ? 'empty-mask' : 'mask-on-negative',
              id: item.id,
              file: item.source,
              message: `${item.source}: ${item.label === 1 ? 'a positive image has an empty mask' : 'a negative image has a non-empty mask'}`,
            });
          }
        } else if (truth.kind === 'boxes') {
          boxes = truth.boxes.length;
        }
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        problems.push(problemFrom(error, item.id));
        options.onProgress?.({ stage: 'check', done: ++done, total: dataset.size });
        continue;
      }
    }
    for (const counts of [splits[item.split], total]) {
      counts.images++;
      if (item.label === 1) counts.positives++;
      else counts.negatives++;
      counts.masks += masks;
      counts.boxes += boxes;
    }
    options.onProgress?.({ stage: 'check', done: ++done, total: dataset.size });
  }
  const byKind = new Map<string, DataProblem[]>();
  for (const p of problems) {
    const list = byKind.get(p.kind);
    if (list) list.push(p);
    else byKind.set(p.kind, [p]);
  }
  const keep = options.examples ?? 3;
  return {
    format: dataset.format,
    root: dataset.root,
    imagesRead: readImages,
    total,
    splits,
    imageSizes,
    problemCount: problems.length,
    problems: [...byKind].map(([kind, list]) => ({ kind, count: list.length, examples: list.slice(0, keep) })),
  };
}

/** Formats a check report as plain text for a terminal. */
export function formatCheckReport(report: DatasetCheckReport): string {
  const lines: string[] = [];
  lines.push(`dataset ${report.root} (${report.format})${report.imagesRead ? '' : ', images not read'}`);
  const header = ['split', 'images', 'positives', 'negatives', 'masks', 'boxes'];
  const rows = [...SPLITS.map((s) => [s, report.splits[s]] as const), ['all', report.total] as const].map(([name, c]) => [
    name,
    String(c.images),
    String(c.positives),
    String(c.negatives),
    String(c.masks),
    String(c.boxes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(format(header), ...rows.map(format));
  const sizes = Object.entries(report.imageSizes);
  if (sizes.length > 0) lines.push(`image sizes: ${sizes.map(([s, n]) => `${s} (${n})`).join(', ')}`);
  if (report.problemCount === 0) {
    lines.push('no problems found');
  } else {
    lines.push(`${report.problemCount} problem${report.problemCount === 1 ? '' : 's'}:`);
    for (const group of report.problems) {
      lines.push(`  ${group.kind}: ${group.count}`);
      for (const e of group.examples) lines.push(`    - ${e.message.split('\n').join('\n      ')}`);
    }
  }
  return lines.join('\n');
}
