/**
 * Pixel-ranking scores of one saliency map against its ground truth: the paper's trapezoidal AUPRC,
 * scikit-learn's step-wise average precision, and ROC AUC. All three come from one walk down the
 * distinct scores (ties collapse into one point, as scikit-learn's curves do), after sorting positives
 * and negatives apart with no comparator calls: an O(n) radix sort of order-preserving keys for float32
 * maps, the native O(n log n) typed-array sort for other float64 scores.
 *
 * Arun et al. 2021 (https://doi.org/10.1148/ryai.2021200267) report `auc(recall, precision)` over
 * scikit-learn's `precision_recall_curve`: that is `auprc` here, not `averagePrecision`.
 */
import { checkFinite, checkPair, type Numbers, type UndefinedPolicy } from './arrays.js';
import { metricsErrors } from './messages.js';
import { float32Key, radixSortUint32 } from './sort.js';

/** Options of `auprc` and `averagePrecision`; `onNoPositives` defaults to `'error'`. */
export interface PrecisionRecallOptions {
  /** An image without a positive pixel: throw a `UsageError` (default) or return NaN. */
  readonly onNoPositives?: UndefinedPolicy;
}

/** Options of `rocAuc`; `onSingleClass` defaults to `'error'`. */
export interface RocAucOptions {
  /** Labels of one class only (ROC AUC needs both): throw a `UsageError` (default) or return NaN. */
  readonly onSingleClass?: UndefinedPolicy;
}

/** All pixel-ranking scores of one map, with the counts behind them and why any score is NaN. */
export interface RankingScores {
  /** Trapezoidal area under the precision-recall curve (the paper's metric). */
  readonly auprc: number;
  /** Step-wise average precision, `sum (R_k - R_{k-1}) P_k` (scikit-learn's `average_precision_score`). */
  readonly averagePrecision: number;
  /** Area under the ROC curve (ties count one half). */
  readonly rocAuc: number;
  readonly positives: number;
  readonly negatives: number;
  /** Number of distinct score values, i.e. thresholds of the curves. */
  readonly distinctScores: number;
  /** Why a score is NaN; empty when all three are defined. */
  readonly undefinedReasons: readonly string[];
}

interface Split {
  /** Ascending sort keys of the positive and negative scores: float32 keys or the float64 values. */
  readonly positives: Uint32Array | Float64Array;
  readonly negatives: Uint32Array | Float64Array;
}

/**
 * Splits scores by label (label != 0 is positive) into two ascending arrays. Scores that are all float32
 * values (any float32 map) are sorted as radix keys; other float64 scores by the native sort.
 */
function splitSorted(what: string, scores: Numbers, labels: Numbers): Split {
  checkPair(what, scores, labels);
  const n = scores.length;
  let positiveCount = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label !== 0) {
      if (Number.isNaN(label)) throw metricsErrors.notFinite(`${what} labels`, i, label);
      positiveCount++;
    }
  }
  let float32 = scores instanceof Float32Array;
  for (let i = 0; i < n && !float32; i++) {
    const v = scores[i]!;
    // v - v is NaN for NaN and infinities: name the bad value.
    if (v - v !== 0) checkFinite(what, scores);
    if (Math.fround(v) !== v) break;
    if (i === n - 1) float32 = true;
  }
  if (float32) {
    const positives = new Uint32Array(positiveCount);
    const negatives = new Uint32Array(n - positiveCount);
    let p = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      const v = scores[i]!;
      if (v - v !== 0) checkFinite(what, scores);
      if (labels[i] !== 0) positives[p++] = float32Key(v);
      else negatives[q++] = float32Key(v);
    }
    return { positives: radixSortUint32(positives), negatives: radixSortUint32(negatives) };
  }
  const positives = new Float64Array(positiveCount);
  const negatives = new Float64Array(n - positiveCount);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (v - v !== 0) checkFinite(what, scores);
    if (labels[i] !== 0) positives[p++] = v;
    else negatives[q++] = v;
  }
  // -0 and +0 sort apart natively but compare equal, which is all the walk below needs.
  positives.sort();
  negatives.sort();
  return { positives, negatives };
}

function curveScores(split: Split): Omit<RankingScores, 'undefinedReasons'> {
  const { positives, negatives } = split;
  const P = positives.length;
  const N = negatives.length;
  let i = P - 1;
  let j = N - 1;
  let tp = 0;
  let fp = 0;
  let distinct = 0;
  // PR curve starts at scikit-learn's appended end point (recall 0, precision 1).
  let prevRecall = 0;
  let prevPrecision = 1;
  let trapezoid = 0;
  let stepwise = 0;
  let prDone = P === 0;
  let prevTpr = 0;
  let prevFpr = 0;
  let roc = 0;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? positives[i]! : -Infinity;
    const b = j >= 0 ? negatives[j]! : -Infinity;
    const threshold = a > b ? a : b;
    while (i >= 0 && positives[i] === threshold) {
      tp++;
      i--;
    }
    while (j >= 0 && negatives[j] === threshold) {
      fp++;
      j--;
    }
    distinct++;
    if (!prDone) {
      const recall = tp / P;
      const precision = tp / (tp + fp);
      trapezoid += ((recall - prevRecall) * (precision + prevPrecision)) / 2;
      stepwise += (recall - prevRecall) * precision;
      prevRecall = recall;
      prevPrecision = precision;
      // scikit-learn truncates the curve at the first threshold reaching full recall.
      if (tp === P) prDone = true;
    }
    if (P > 0 && N > 0) {
      const tpr = tp / P;
      const fpr = fp / N;
      roc += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
      prevTpr = tpr;
      prevFpr = fpr;
    }
  }
  return {
    auprc: P > 0 ? trapezoid : NaN,
    averagePrecision: P > 0 ? stepwise : NaN,
    rocAuc: P > 0 && N > 0 ? roc : NaN,
    positives: P,
    negatives: N,
    distinctScores: distinct,
  };
}

const noPositivesReason = 'no positive pixel in the ground truth: AUPRC and average precision are undefined';
const singleClassReason = 'labels of one class only: ROC AUC is undefined';

/**
 * AUPRC, average precision and ROC AUC of one map in a single pass (`scores` ranked against
 * `labels != 0`). An image without positives throws unless `onNoPositives: 'nan'` (default `'error'`);
 * a one-class ROC AUC is NaN with its reason in `undefinedReasons`.
 */
export function rankingScores(scores: Numbers, labels: Numbers, options: PrecisionRecallOptions = {}): RankingScores {
  const result = curveScores(splitSorted('rankingScores', scores, labels));
  const reasons: string[] = [];
  if (result.positives === 0) {
    if ((options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives('rankingScores', scores.length);
    reasons.push(noPositivesReason);
  }
  if (result.positives === 0 || result.negatives === 0) reasons.push(singleClassReason);
  return { ...result, undefinedReasons: reasons };
}

/**
 * The paper's per-image AUPRC: the trapezoidal area under scikit-learn's precision-recall curve of
 * `scores` against `labels != 0` (thresholds are the distinct scores, ties collapse, the curve ends at
 * recall 0, precision 1). Equals `sklearn.metrics.auc(recall, precision)` of `precision_recall_curve`.
 * No positive label throws a `UsageError` unless `onNoPositives: 'nan'` (default `'error'`).
 */
export function auprc(scores: Numbers, labels: Numbers, options: PrecisionRecallOptions = {}): number {
  const result = curveScores(splitSorted('auprc', scores, labels));
  if (result.positives === 0 && (options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives('auprc', scores.length);
  return result.auprc;
}

/**
 * Step-wise average precision, `sum_k (R_k - R_{k-1}) P_k` over the distinct-score thresholds, as
 * scikit-learn's `average_precision_score` (no interpolation). Not the paper's metric; offered beside it.
 * No positive label throws a `UsageError` unless `onNoPositives: 'nan'` (default `'error'`).
 */
export function averagePrecision(scores: Numbers, labels: Numbers, options: PrecisionRecallOptions = {}): number {
  const result = curveScores(splitSorted('averagePrecision', scores, labels));
  if (result.positives === 0 && (options.onNoPositives ?? 'error') === 'error') throw metricsErrors.noPositives('averagePrecision', scores.length);
  return result.averagePrecision;
}

/**
 * Area under the ROC curve of `scores` against `labels != 0` (trapezoids over the distinct-score
 * thresholds, so tied positive-negative pairs count one half; equals `sklearn.metrics.roc_auc_score`).
 * Labels of one class throw a `UsageError` unless `onSingleClass: 'nan'` (default `'error'`).
 */
export function rocAuc(scores: Numbers, labels: Numbers, options: RocAucOptions = {}): number {
  const result = curveScores(splitSorted('rocAuc', scores, labels));
  if ((result.positives === 0 || result.negatives === 0) && (options.onSingleClass ?? 'error') === 'error') {
    throw metricsErrors.singleClass('rocAuc', result.positives, result.negatives);
  }
  return result.rocAuc;
}
