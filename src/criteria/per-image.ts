/**
 * Rows of `per-image.csv`: one row per image x method x model x state, with whichever scores apply
 * (localization scores for utility, SSIM for the other criteria). Pure shaping; writing is the caller's.
 */
import type { LocalizationScores } from './localization.js';
import type { CriterionId } from './verdict.js';

/** One row of per-image results. Missing scores are undefined (written as empty cells). */
export interface PerImageRow {
  /** A pseudonymous image key (never a patient identifier), e.g. the index in the selection or a hash. */
  readonly image: string;
  readonly criterion: CriterionId | 'randomization-baseline';
  /** Saliency method id or baseline id (`average-mask`, `unet`, `retinanet`). */
  readonly method: string;
  /** Model id, or `a~b` for a model pair (repeatability, reproducibility, baseline pairs). */
  readonly model: string;
  /** `trained`, `fully-randomized`, or a cascading state (`original`, `logits`, a block name). */
  readonly state: string;
  readonly auprc?: number;
  readonly averagePrecision?: number;
  readonly iou?: number;
  readonly dice?: number;
  readonly hitRate?: number;
  readonly threshold?: number;
  readonly ssim?: number;
  readonly degenerate: boolean;
}

/** Column names of `per-image.csv`, in order. */
export const perImageColumns = Object.freeze([
  'image',
  'criterion',
  'method',
  'model',
  'state',
  'auprc',
  'average_precision',
  'iou',
  'dice',
  'hit_rate',
  'threshold',
  'ssim',
  'degenerate',
] as const);

/** A column of `per-image.csv`. */
export type PerImageColumn = (typeof perImageColumns)[number];

/** Rows of one utility series (a method or baseline on one model and state). */
export function localizationRows(
  imageIds: readonly string[],
  at: { readonly method: string; readonly model: string; readonly state: string },
  scores: readonly LocalizationScores[],
): PerImageRow[] {
  return scores.map((s, i) => ({
    image: imageIds[i] ?? String(i),
    criterion: 'utility',
    ...at,
    auprc: s.auprc,
    averagePrecision: s.averagePrecision,
    iou: s.iou,
    dice: s.dice,
    hitRate: s.hitRate,
    threshold: s.threshold,
    degenerate: s.degenerate,
  }));
}

/** Rows of per-image SSIMs (randomization state vs original, or a model pair). */
export function ssimRows(
  imageIds: readonly string[],
  at: { readonly criterion: PerImageRow['criterion']; readonly method: string; readonly model: string; readonly state: string },
  ssim: ArrayLike<number>,
  degenerate?: ArrayLike<boolean>,
): PerImageRow[] {
  return Array.from({ length: ssim.length }, (_, i) => ({
    image: imageIds[i] ?? String(i),
    ...at,
    ssim: ssim[i]!,
    degenerate: degenerate?.[i] ?? Number.isNaN(ssim[i]!),
  }));
}

function cell(value: number | undefined): string {
  if (value === undefined) return '';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** A row as CSV cells keyed by column (numbers at full precision, NaN as `NaN`, missing as empty). */
export function perImageRecord(row: PerImageRow): Record<PerImageColumn, string> {
  return {
    image: row.image,
    criterion: row.criterion,
    method: row.method,
    model: row.model,
    state: row.state,
    auprc: cell(row.auprc),
    average_precision: cell(row.averagePrecision),
    iou: cell(row.iou),
    dice: cell(row.dice),
    hit_rate: cell(row.hitRate),
    threshold: cell(row.threshold),
    ssim: cell(row.ssim),
    degenerate: row.degenerate ? '1' : '0',
  };
}
