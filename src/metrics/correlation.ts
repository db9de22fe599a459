/**
 * Rank and linear correlation of two maps (or two score lists). Spearman's rho is what Quantus and the
 * randomization literature report beside SSIM, so users will compare it with theirs.
 */
import { averageRanks, checkFinite, checkPair, type Numbers, type UndefinedPolicy } from './arrays.js';
import { metricsErrors } from './messages.js';

/** Options of `spearman` and `pearson`; `onConstant` (an input with zero variance) defaults to `'error'`. */
export interface CorrelationOptions {
  readonly onConstant?: UndefinedPolicy;
}

/**
 * Pearson's linear correlation coefficient of `a` and `b` (two-pass, float64). An input with zero
 * variance throws a `UsageError` unless `onConstant: 'nan'` (default `'error'`).
 */
export function pearson(a: Numbers, b: Numbers, options: CorrelationOptions = {}): number {
  checkPair('pearson', a, b);
  checkFinite('pearson', a);
  checkFinite('pearson', b);
  return pearsonUnchecked('pearson', a, b, options);
}

function pearsonUnchecked(what: string, a: Numbers, b: Numbers, options: CorrelationOptions): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (saa === 0 || sbb === 0) {
    if ((options.onConstant ?? 'error') === 'error') {
      throw metricsErrors.badOption(what, 'input', 'constant', "two inputs that both vary (correlation with a constant is undefined); pass { onConstant: 'nan' } to get NaN");
    }
    return NaN;
  }
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Spearman's rank correlation of `a` and `b`: Pearson's r of their average ranks (ties share the mean
 * rank), as scipy's `spearmanr`. A constant input throws unless `onConstant: 'nan'` (default `'error'`).
 */
export function spearman(a: Numbers, b: Numbers, options: CorrelationOptions = {}): number {
  checkPair('spearman', a, b);
  checkFinite('spearman', a);
  checkFinite('spearman', b);
  return pearsonUnchecked('spearman', averageRanks(a).ranks, averageRanks(b).ranks, options);
}
