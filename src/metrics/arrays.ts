/**
 * Input types and checks shared by the metrics: every metric takes plain numeric arrays (typed arrays
 * preferred) and validates them the same way.
 */
import { metricsErrors } from './messages.js';

/** Any array of numbers: a typed array (preferred, no copies) or a plain array. */
export type Numbers = ArrayLike<number>;

/** What a caller wants when a score is undefined (no positive pixel, one class only, zero map). */
export type UndefinedPolicy = 'error' | 'nan';

/** Throws unless `a` and `b` have the same, non-zero length. */
export function checkPair(what: string, a: Numbers, b: Numbers): void {
  if (a.length !== b.length) throw metricsErrors.lengthMismatch(what, a.length, b.length);
  if (a.length === 0) throw metricsErrors.empty(what);
}

/** Throws on the first NaN or infinite value. */
export function checkFinite(what: string, values: Numbers): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw metricsErrors.notFinite(what, i, v);
  }
}

/** Throws unless width and height are positive integers whose product is `length`. */
export function checkMapSize(what: string, length: number, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width * height !== length) {
    throw metricsErrors.mapSize(what, length, width, height);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function checkChoice<T extends string>(what: string, option: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw metricsErrors.badOption(what, option, value, `one of ${allowed.join(', ')}`);
}

/** Arithmetic mean in float64. */
export function mean(values: Numbers): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Sample variance (ddof 1) in float64, two-pass for accuracy. */
export function sampleVariance(values: Numbers, valuesMean = mean(values)): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - valuesMean;
    s += d * d;
  }
  return s / (values.length - 1);
}

/**
 * Ranks with ties given their average rank (1-based), like scipy's `rankdata(method='average')`.
 * Also returns the sizes of the tie groups (only groups of 2 or more), which tie corrections need.
 */
export function averageRanks(values: Numbers): { ranks: Float64Array; tieSizes: number[] } {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Sorting indices needs a comparator; a stable one keeps equal values in input order.
  order.sort((i, j) => values[i]! - values[j]! || i - j);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let start = 0;
  while (start < n) {
    let end = start + 1;
    const v = values[order[start]!]!;
    while (end < n && values[order[end]!]! === v) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}
