/**
 * Per-image localization scores of one map against its ground truth (Arun et al. 2021 utility,
 * https://doi.org/10.1148/ryai.2021200267): the paper's trapezoidal AUPRC, average precision, IoU and
 * Dice after an Otsu threshold, and the pointing-game hit. Also ground truth and detector boxes to
 * pixels, for masks (SIIM) and boxes (RSNA) alike.
 */
import type { Box, GroundTruth, Map2D, Mask } from '../core/types.js';
import { rasterizeBoxes, rasterizeScoredBoxes, type BoxRule, type Size } from '../imaging/rasterize.js';
import { dice, hitRate, iou } from '../metrics/overlap.js';
import { rankingScores } from '../metrics/ranking.js';
import { binarize, type BinarizeRule } from '../metrics/threshold.js';
import type { HitTies } from '../metrics/overlap.js';
import { criteriaErrors } from './messages.js';

/** Options of `scoreLocalization`: the binarisation before IoU/Dice (default Otsu) and the hit tie rule (default `fraction`). */
export interface LocalizationOptions {
  readonly binarize?: BinarizeRule;
  readonly hitTies?: HitTies;
}

/** Every localization score of one map on one image; all NaN when the map is degenerate. */
export interface LocalizationScores {
  /** Trapezoidal area under the precision-recall curve (the paper's utility metric). */
  readonly auprc: number;
  readonly averagePrecision: number;
  /** IoU and Dice of the binarised map with the ground truth. */
  readonly iou: number;
  readonly dice: number;
  /** Whether the map's maximum falls inside the ground truth (a fraction under tied maxima). */
  readonly hitRate: number;
  /** The binarisation threshold used. */
  readonly threshold: number;
  /** The map held NaN (a degenerate map under the NaN policy): it has no score and is excluded downstream. */
  readonly degenerate: boolean;
}

const nanScores: LocalizationScores = Object.freeze({
  auprc: NaN,
  averagePrecision: NaN,
  iou: NaN,
  dice: NaN,
  hitRate: NaN,
  threshold: NaN,
  degenerate: true,
});

function sizeOf(m: { width: number; height: number }): string {
  return `${m.width}x${m.height}`;
}

/**
 * Scores one final map against a binary mask of the same size: AUPRC and average precision from one
 * ranking pass, IoU and Dice after `binarize` (default Otsu, pixels above the threshold), and the hit.
 * A map holding NaN is degenerate and gets NaN everywhere; an empty mask gives NaN ranking scores.
 */
export function scoreLocalization(map: Map2D, truth: Mask, options: LocalizationOptions = {}): LocalizationScores {
  if (map.width !== truth.width || map.height !== truth.height) throw criteriaErrors.sizeMismatch('scoreLocalization', sizeOf(map), sizeOf(truth));
  for (let i = 0; i < map.data.length; i++) if (Number.isNaN(map.data[i])) return nanScores;
  const ranking = rankingScores(map.data, truth.data, { onNoPositives: 'nan' });
  const binary = binarize(map.data, options.binarize ?? { method: 'otsu' });
  return {
    auprc: ranking.auprc,
    averagePrecision: ranking.averagePrecision,
    iou: iou(binary.mask, truth.data, { onNoPositives: 'nan' }),
    dice: dice(binary.mask, truth.data, { onNoPositives: 'nan' }),
    hitRate: hitRate(map.data, truth.data, { ties: options.hitTies ?? 'fraction', onNoPositives: 'nan' }),
    threshold: binary.threshold,
    degenerate: false,
  };
}

/** Options of `groundTruthMask`: how boxes map to pixels (default `exact`; `arun2021` is the paper's `int(320 * c / 1023)`). */
export interface GroundTruthOptions {
  readonly boxRule?: BoxRule;
}

/**
 * The binary mask of one image's ground truth at `size`: a mask as is (it must already be that size;
 * resizing belongs to data loading), boxes rasterised by `boxRule`. An image without ground truth throws.
 */
export function groundTruthMask(truth: GroundTruth, size: Size, options: GroundTruthOptions = {}): Mask {
  if (truth.kind === 'none') throw criteriaErrors.noGroundTruth('groundTruthMask');
  if (truth.kind === 'mask') {
    if (truth.mask.width !== size.width || truth.mask.height !== size.height) throw criteriaErrors.sizeMismatch('groundTruthMask', sizeOf(truth.mask), sizeOf(size));
    return truth.mask;
  }
  return rasterizeBoxes(truth.boxes, { width: truth.width, height: truth.height }, size, { rule: options.boxRule ?? 'exact' });
}

/**
 * A detection network's map (RetinaNet in the paper): every predicted box drawn with its score, the
 * per-pixel maximum where boxes overlap, 0 elsewhere; boxes are given on a `from` grid.
 */
export function detectionMap(boxes: readonly Box[], from: Size, to: Size, options: GroundTruthOptions = {}): Map2D {
  return rasterizeScoredBoxes(boxes, from, to, { rule: options.boxRule ?? 'exact' });
}

/** Per-image mean of several score lists (e.g. one per trained replicate), each metric ignoring NaN; degenerate only when all are. */
export function meanLocalizationScores(replicates: readonly (readonly LocalizationScores[])[]): LocalizationScores[] {
  const first = replicates[0];
  if (!first) return [];
  const keys = ['auprc', 'averagePrecision', 'iou', 'dice', 'hitRate', 'threshold'] as const;
  return first.map((_, i) => {
    const out: Record<string, number | boolean> = {};
    for (const key of keys) {
      let s = 0;
      let k = 0;
      for (const scores of replicates) {
        const row = scores[i];
        if (!row) throw criteriaErrors.lengthMismatch('meanLocalizationScores', 'a replicate', scores.length, first.length);
        if (Number.isFinite(row[key])) {
          s += row[key];
          k++;
        }
      }
      out[key] = k ? s / k : NaN;
    }
    out.degenerate = replicates.every((scores) => scores[i]!.degenerate);
    return out as unknown as LocalizationScores;
  });
}
