/**
 * Agreement of a thresholded map (or the map's peak) with the ground truth: IoU, Dice, the pointing
 * game's hit, and the fraction of the map's energy inside the mask. Masks are any numeric arrays where a
 * non-zero value means "inside".
 */
import { checkFinite, checkMapSize, checkPair, type Numbers, type UndefinedPolicy } from './arrays.js';
import { metricsErrors } from './messages.js';

/** Options of `iou` and `dice`; `onNoPositives` (both masks empty) defaults to `'error'`. */
export interface OverlapOptions {
  readonly onNoPositives?: UndefinedPolicy;
}

function counts(what: string, a: Numbers, b: Numbers): { both: number; onlyA: number; onlyB: number } {
  checkPair(what, a, b);
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    const inA = a[i] !== 0;
    const inB = b[i] !== 0;
    if (inA && inB) both++;
    else if (inA) onlyA++;
    else if (inB) onlyB++;
  }
  return { both, onlyA, onlyB };
}

/**
 * Intersection over union |A ∩ B| / |A ∪ B| of two binary masks (non-zero = inside). Two empty masks
 * throw a `UsageError` unless `onNoPositives: 'nan'` (default `'error'`).
 */
export function iou(a: Numbers, b: Numbers, options: OverlapOptions = {}): number {
  const { both, onlyA, onlyB } = counts('iou', a, b);
  const union = both + onlyA + onlyB;
  if (union === 0) {
    if ((options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives('iou', a.length);
    return NaN;
  }
  return both / union;
}

/**
 * Dice coefficient 2 |A ∩ B| / (|A| + |B|) of two binary masks (non-zero = inside). Two empty masks
 * throw a `UsageError` unless `onNoPositives: 'nan'` (default `'error'`).
 */
export function dice(a: Numbers, b: Numbers, options: OverlapOptions = {}): number {
  const { both, onlyA, onlyB } = counts('dice', a, b);
  const total = 2 * both + onlyA + onlyB;
  if (total === 0) {
    if ((options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives('dice', a.length);
    return NaN;
  }
  return (2 * both) / total;
}

/**
 * How `hitRate` scores a map whose maximum is reached at several pixels (common after the paper's
 * 99th-percentile clip, which saturates 1% of pixels): `fraction` = share of the tied maxima that hit
 * (the expected hit of a random tie-break), `any` = 1 if one hits, `all` = 1 only if all hit, `first`
 * = the first maximum in row-major order (numpy's argmax).
 */
export type HitTies = 'fraction' | 'any' | 'all' | 'first';

/** Options of `hitRate`: `ties` defaults to `'fraction'`, `tolerance` (pixels) to 0, `onNoPositives` to `'error'`. */
export interface HitOptions {
  readonly ties?: HitTies;
  /** A maximum within this Euclidean distance of a ground-truth pixel hits (15 in Zhang et al. 2018); needs width and height when > 0. */
  readonly tolerance?: number;
  readonly width?: number;
  readonly height?: number;
  readonly onNoPositives?: UndefinedPolicy;
}

/**
 * The pointing game for one image (Zhang et al., https://doi.org/10.1007/s11263-017-1059-x): whether
 * the map's maximum falls inside the ground truth (within `tolerance` pixels, default 0). Returns 0 or 1,
 * or a fraction under the default `ties: 'fraction'` when several pixels share the maximum; average it
 * over images for the hit rate. An empty mask throws unless `onNoPositives: 'nan'` (default `'error'`).
 */
export function hitRate(map: Numbers, mask: Numbers, options: HitOptions = {}): number {
  const what = 'hitRate';
  checkPair(what, map, mask);
  checkFinite(what, map);
  const ties = options.ties ?? 'fraction';
  if (!['fraction', 'any', 'all', 'first'].includes(ties)) throw metricsErrors.badOption(what, 'ties', ties, "'fraction', 'any', 'all' or 'first'");
  const tolerance = options.tolerance ?? 0;
  if (!(tolerance >= 0)) throw metricsErrors.badOption(what, 'tolerance', tolerance, 'a distance in pixels >= 0');
  let positives = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) positives++;
  if (positives === 0) {
    if ((options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives(what, mask.length);
    return NaN;
  }
  let peak = -Infinity;
  for (let i = 0; i < map.length; i++) if (map[i]! > peak) peak = map[i]!;
  const maxima: number[] = [];
  for (let i = 0; i < map.length; i++) if (map[i] === peak) maxima.push(i);
  const candidates = ties === 'first' ? maxima.slice(0, 1) : maxima;
  let hit: (index: number) => boolean = (index) => mask[index] !== 0;
  if (tolerance > 0) {
    const width = options.width ?? 0;
    const height = options.height ?? 0;
    checkMapSize(what, map.length, width, height);
    const radius = Math.floor(tolerance);
    const r2 = tolerance * tolerance;
    hit = (index) => {
      const x = index % width;
      const y = (index - x) / width;
      for (let dy = -radius; dy <= radius; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width || dx * dx + dy * dy > r2) continue;
          if (mask[yy * width + xx] !== 0) return true;
        }
      }
      return false;
    };
  }
  let hits = 0;
  for (const index of candidates) if (hit(index)) hits++;
  if (ties === 'any') return hits > 0 ? 1 : 0;
  if (ties === 'all') return hits === candidates.length ? 1 : 0;
  return hits / candidates.length;
}

/** Options of `energyInside`: `onNoPositives` (empty mask) and `onZeroMap` (map sums to 0) default to `'error'`. */
export interface EnergyOptions {
  readonly onNoPositives?: UndefinedPolicy;
  readonly onZeroMap?: UndefinedPolicy;
}

/**
 * Fraction of a non-negative map's total energy (sum of values) that lies inside the mask, the
 * energy-based pointing game of Score-CAM (Wang et al. 2020, https://arxiv.org/abs/1910.01279).
 * Negative values throw; an empty mask or an all-zero map throw unless the matching policy is `'nan'`.
 */
export function energyInside(map: Numbers, mask: Numbers, options: EnergyOptions = {}): number {
  const what = 'energyInside';
  checkPair(what, map, mask);
  checkFinite(what, map);
  let inside = 0;
  let total = 0;
  let positives = 0;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (v < 0) throw metricsErrors.badOption(what, `map[${i}]`, v, 'a non-negative value (take the absolute value or positive part first)');
    total += v;
    if (mask[i] !== 0) {
      inside += v;
      positives++;
    }
  }
  if (positives === 0) {
    if ((options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives(what, mask.length);
    return NaN;
  }
  if (total === 0) {
    if ((options.onZeroMap ?? 'error') === 'error') throw metricsErrors.zeroMap(what);
    return NaN;
  }
  return inside / total;
}
