/**
 * Turning a saliency map into a binary mask before IoU, Dice and friends: Otsu's threshold (as
 * scikit-image's `threshold_otsu` on float images), a fixed value, or the top k percent of pixels.
 * Masks are `Uint8Array`s with 1 for "inside".
 */
import { checkFinite, type Numbers } from './arrays.js';
import { metricsErrors } from './messages.js';

/** Options of `otsuThreshold`; `bins` defaults to 256 (scikit-image's default). */
export interface OtsuOptions {
  readonly bins?: number;
}

/**
 * Otsu's threshold of a map's values (Otsu 1979, https://doi.org/10.1109/TSMC.1979.4310076), as
 * scikit-image's `threshold_otsu` computes it for float images: a `bins`-bin histogram (default 256)
 * over [min, max] with numpy's binning, the bin centre maximising the between-class variance (first
 * maximum), and the single value itself for a constant map. Pixels `> threshold` are foreground.
 */
export function otsuThreshold(values: Numbers, options: OtsuOptions = {}): number {
  const what = 'otsuThreshold';
  const bins = options.bins ?? 256;
  if (!Number.isInteger(bins) || bins < 2) throw metricsErrors.badOption(what, 'bins', bins, 'an integer >= 2');
  if (values.length === 0) throw metricsErrors.empty(what);
  checkFinite(what, values);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return lo;
  // numpy.histogram: linspace edges, index from the scaled offset, then corrected against the edges.
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = lo + k * step;
  edges[bins] = hi;
  const norm = bins / (hi - lo);
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let k = Math.floor((v - lo) * norm);
    if (k >= bins) k = bins - 1;
    if (v < edges[k]!) k--;
    else if (k !== bins - 1 && v >= edges[k + 1]!) k++;
    counts[k]!++;
  }
  const centers = new Float64Array(bins);
  for (let k = 0; k < bins; k++) centers[k] = (edges[k]! + edges[k + 1]!) / 2;
  // Class weights and means for a split after bin k, from both ends.
  const weightBelow = new Float64Array(bins);
  const sumBelow = new Float64Array(bins);
  const weightAbove = new Float64Array(bins);
  const sumAbove = new Float64Array(bins);
  let w = 0;
  let s = 0;
  for (let k = 0; k < bins; k++) {
    w += counts[k]!;
    s += counts[k]! * centers[k]!;
    weightBelow[k] = w;
    sumBelow[k] = s;
  }
  w = 0;
  s = 0;
  for (let k = bins - 1; k >= 0; k--) {
    w += counts[k]!;
    s += counts[k]! * centers[k]!;
    weightAbove[k] = w;
    sumAbove[k] = s;
  }
  let best = -Infinity;
  let bestIndex = 0;
  for (let k = 0; k < bins - 1; k++) {
    const w1 = weightBelow[k]!;
    const w2 = weightAbove[k + 1]!;
    // Both classes are never empty: the first bin holds the minimum and the last the maximum.
    const diff = sumBelow[k]! / w1 - sumAbove[k + 1]! / w2;
    const variance = w1 * w2 * diff * diff;
    if (variance > best) {
      best = variance;
      bestIndex = k;
    }
  }
  return centers[bestIndex]!;
}

/** A binary mask (1 inside) of the pixels strictly above `threshold`. */
export function thresholdMask(values: Numbers, threshold: number): Uint8Array {
  if (Number.isNaN(threshold)) throw metricsErrors.badOption('thresholdMask', 'threshold', threshold, 'a number');
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) mask[i] = values[i]! > threshold ? 1 : 0;
  return mask;
}

/** The value at or above which a pixel is among the top `percent` percent: the ceil(percent * n / 100)-th largest. */
export function topPercentThreshold(values: Numbers, percent: number): number {
  const what = 'topPercentThreshold';
  if (!(percent > 0 && percent <= 100)) throw metricsErrors.badOption(what, 'percent', percent, 'a number in (0, 100]');
  if (values.length === 0) throw metricsErrors.empty(what);
  checkFinite(what, values);
  const sorted = Float64Array.from(values).sort();
  const k = Math.min(values.length, Math.max(1, Math.ceil((percent * values.length) / 100)));
  return sorted[values.length - k]!;
}

/**
 * A binary mask of the top `percent` percent of pixels: every pixel `>=` the ceil(percent * n / 100)-th
 * largest value, so ties at the boundary are all included and the mask can exceed k pixels.
 */
export function topPercentMask(values: Numbers, percent: number): Uint8Array {
  const threshold = topPercentThreshold(values, percent);
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) mask[i] = values[i]! >= threshold ? 1 : 0;
  return mask;
}

/** How `binarize` thresholds a map. */
export type BinarizeRule = { readonly method: 'otsu'; readonly bins?: number } | { readonly method: 'fixed'; readonly threshold: number } | { readonly method: 'top-percent'; readonly percent: number };

/** A mask with the threshold and rule that made it. */
export interface Binarized {
  readonly mask: Uint8Array;
  readonly threshold: number;
  readonly rule: BinarizeRule;
}

/**
 * Thresholds a map by one rule: `otsu` and `fixed` keep pixels `>` the threshold, `top-percent` keeps
 * pixels `>=` the boundary value (see `topPercentMask`). Returns the mask and the threshold used.
 */
export function binarize(values: Numbers, rule: BinarizeRule): Binarized {
  switch (rule.method) {
    case 'otsu': {
      const threshold = otsuThreshold(values, rule.bins === undefined ? {} : { bins: rule.bins });
      return { mask: thresholdMask(values, threshold), threshold, rule };
    }
    case 'fixed':
      return { mask: thresholdMask(values, rule.threshold), threshold: rule.threshold, rule };
    case 'top-percent': {
      const threshold = topPercentThreshold(values, rule.percent);
      const mask = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) mask[i] = values[i]! >= threshold ? 1 : 0;
      return { mask, threshold, rule };
    }
    default:
      throw metricsErrors.badOption('binarize', 'method', (rule as { method: unknown }).method, "'otsu', 'fixed' or 'top-percent'");
  }
}
