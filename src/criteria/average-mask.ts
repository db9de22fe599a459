/**
 * The average-mask prior (Arun et al. 2021): the per-pixel mean of the ground truth over the training and
 * validation images, scored against every test image like a saliency map. Accumulated one image at a
 * time so no dataset of masks is ever held.
 */
import type { GroundTruth, Map2D, Mask } from '../core/types.js';
import type { Size } from '../imaging/rasterize.js';
import { groundTruthMask, type GroundTruthOptions } from './localization.js';
import { criteriaErrors } from './messages.js';

/** A streaming per-pixel mean of ground-truth masks. */
export interface AverageMaskAccumulator {
  /** Adds one image's ground truth (a mask, boxes, or `none` = an all-zero mask for a negative image). */
  add(truth: GroundTruth | Mask): void;
  /** Images added so far. */
  readonly count: number;
  /** The mean mask so far, in [0, 1]. */
  result(): Map2D;
}

/** Starts an average mask of `size`; boxes are rasterised with `boxRule` (default `exact`). */
export function createAverageMaskAccumulator(size: Size, options: GroundTruthOptions = {}): AverageMaskAccumulator {
  const sum = new Float64Array(size.width * size.height);
  let count = 0;
  return {
    add(truth) {
      count++;
      if ('kind' in truth && truth.kind === 'none') return;
      const mask = 'kind' in truth ? groundTruthMask(truth, size, options) : truth;
      if (mask.width !== size.width || mask.height !== size.height) throw criteriaErrors.sizeMismatch('average mask', `${mask.width}x${mask.height}`, `${size.width}x${size.height}`);
      for (let i = 0; i < sum.length; i++) if (mask.data[i] !== 0) sum[i]!++;
    },
    get count() {
      return count;
    },
    result() {
      if (count === 0) throw criteriaErrors.emptyAccumulator();
      const data = new Float32Array(sum.length);
      for (let i = 0; i < sum.length; i++) data[i] = sum[i]! / count;
      return { data, width: size.width, height: size.height };
    },
  };
}
