/**
 * The statistics every criterion shares: NaN-aware summaries with seeded bootstrap intervals, paired and
 * one-sample one-sided tests (Wilcoxon signed-rank or t, as configured), and Holm's correction across a
 * family of methods. Thin wiring over `metrics/`; every record carries what a reader needs to re-check it.
 */
import { bootstrapCi } from '../metrics/bootstrap.js';
import type { Numbers } from '../metrics/arrays.js';
import { holm, oneSampleTTest, pairedTTest, wilcoxonSignedRank, type Alternative } from '../metrics/stats.js';
import { criteriaErrors } from './messages.js';

/** Which test compares per-image scores: the Wilcoxon signed-rank test or the t-test (paired or one-sample). */
export type TestKind = 'wilcoxon' | 't';

/** Multiple-comparison correction across methods: Holm's step-down, or none. */
export type CorrectionMethod = 'holm' | 'none';

/** Options of the criteria statistics; `criteriaStatisticsDefaults` holds the paper's alpha and the rest. */
export interface StatisticsOptions {
  /** Significance level after correction (the paper's P < .005). */
  readonly alpha: number;
  readonly test: TestKind;
  readonly correction: CorrectionMethod;
  /** Confidence of bootstrap intervals. */
  readonly confidence: number;
  /** Bootstrap resamples. */
  readonly resamples: number;
  /** Seed of every bootstrap interval. */
  readonly seed: number;
}

/** Default statistics: alpha 0.005 (Arun et al.), Wilcoxon, Holm, 95% percentile bootstrap with 10000 resamples, seed 0. */
export const criteriaStatisticsDefaults: StatisticsOptions = Object.freeze({
  alpha: 0.005,
  test: 'wilcoxon',
  correction: 'holm',
  confidence: 0.95,
  resamples: 10000,
  seed: 0,
});

/** A percentile bootstrap interval with its seed. */
export interface ConfidenceInterval {
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
}

/** Mean, median, spread and bootstrap interval of per-image values; NaN values are excluded and counted. */
export interface ScoreSummary {
  /** Finite values used. */
  readonly n: number;
  /** NaN values dropped (degenerate maps, undefined scores). */
  readonly excluded: number;
  readonly mean: number;
  readonly median: number;
  /** Sample standard deviation (ddof 1). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** Bootstrap interval of the mean; null with fewer than 2 values. */
  readonly ci: ConfidenceInterval | null;
}

/** One hypothesis test as recorded in results: inputs, outcome, correction and interval. */
export interface TestRecord {
  readonly test: 'wilcoxon-signed-rank' | 'paired-t' | 'one-sample-t';
  /** What is tested, in words, e.g. `AUPRC(unet) > AUPRC(grad-cam)`. */
  readonly hypothesis: string;
  /** The alternative on `a - b` (paired) or `x - mu` (one-sample). */
  readonly alternative: Alternative;
  /** The reference value of a one-sample test (null when paired). */
  readonly mu: number | null;
  /** Images used (pairs with a NaN side are dropped). */
  readonly n: number;
  readonly excluded: number;
  /** Mean of `a - b` or of `x - mu`. */
  readonly estimate: number;
  readonly statistic: number;
  /** Raw p-value; NaN when the test is undefined (see warnings). */
  readonly pValue: number;
  /** Holm-adjusted p-value within its family (equals pValue with correction none or a family of one). */
  readonly adjustedPValue: number;
  readonly correction: CorrectionMethod;
  /** Number of defined tests in the correction family. */
  readonly family: number;
  readonly alpha: number;
  /** adjustedPValue < alpha. */
  readonly significant: boolean;
  /** Cohen's d_z (t-tests) or the matched-pairs rank-biserial correlation (Wilcoxon). */
  readonly effectSize: number;
  /** Bootstrap interval of the estimate. */
  readonly ci: ConfidenceInterval | null;
  readonly warnings: readonly string[];
}

function finiteOnly(values: Numbers): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]!);
  return Float64Array.from(out);
}

function medianSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function interval(values: Numbers, stats: StatisticsOptions, paired?: Numbers): ConfidenceInterval | null {
  if (values.length < 2) return null;
  const ci = bootstrapCi(values, {
    seed: stats.seed,
    resamples: stats.resamples,
    confidence: stats.confidence,
    ...(paired ? { paired } : {}),
  });
  return { lower: ci.lower, upper: ci.upper, confidence: ci.confidence, resamples: ci.resamples, seed: ci.seed };
}

/** Summarises per-image values (NaN excluded and counted): mean, median, SD, range and a bootstrap CI of the mean. */
export function summarizeScores(values: Numbers, stats: StatisticsOptions = criteriaStatisticsDefaults): ScoreSummary {
  const finite = finiteOnly(values);
  const n = finite.length;
  const sorted = Float64Array.from(finite).sort();
  let sum = 0;
  for (const v of finite) sum += v;
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (const v of finite) ss += (v - mean) * (v - mean);
  return {
    n,
    excluded: values.length - n,
    mean,
    median: medianSorted(sorted),
    sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN,
    min: n ? sorted[0]! : NaN,
    max: n ? sorted[n - 1]! : NaN,
    ci: interval(finite, stats),
  };
}

/** Per-image mean over several aligned series, ignoring NaN (NaN when every series is NaN at that image). */
export function nanMeanPerImage(series: readonly Numbers[]): Float64Array {
  const first = series[0];
  if (!first) return new Float64Array(0);
  const out = new Float64Array(first.length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    let k = 0;
    for (const values of series) {
      if (values.length !== first.length) throw criteriaErrors.lengthMismatch('nanMeanPerImage', 'a series', values.length, first.length);
      const v = values[i]!;
      if (Number.isFinite(v)) {
        s += v;
        k++;
      }
    }
    out[i] = k ? s / k : NaN;
  }
  return out;
}

function checkStats(what: string, stats: StatisticsOptions): void {
  if (!(stats.alpha > 0 && stats.alpha < 1)) throw criteriaErrors.badOption(what, 'alpha', stats.alpha, 'a number in (0, 1)');
  if (stats.test !== 'wilcoxon' && stats.test !== 't') throw criteriaErrors.badOption(what, 'test', stats.test, "'wilcoxon' or 't'");
  if (stats.correction !== 'holm' && stats.correction !== 'none') throw criteriaErrors.badOption(what, 'correction', stats.correction, "'holm' or 'none'");
}

function undefinedRecord(base: Omit<TestRecord, 'statistic' | 'pValue' | 'adjustedPValue' | 'family' | 'significant' | 'effectSize' | 'ci' | 'warnings'>, warning: string): TestRecord {
  return { ...base, statistic: NaN, pValue: NaN, adjustedPValue: NaN, family: 0, significant: false, effectSize: NaN, ci: null, warnings: [warning] };
}

/**
 * One-sided (or two-sided) paired test of per-image `a - b`, dropping pairs with a NaN side: Wilcoxon
 * signed-rank or paired t per `stats.test`, with a bootstrap interval of the mean difference. The record
 * is uncorrected (a family of one) until `adjustFamily` runs over the methods.
 */
export function pairedComparison(a: Numbers, b: Numbers, alternative: Alternative, hypothesis: string, stats: StatisticsOptions): TestRecord {
  checkStats('pairedComparison', stats);
  if (a.length !== b.length) throw criteriaErrors.lengthMismatch('pairedComparison', 'the second sample', b.length, a.length);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      x.push(a[i]!);
      y.push(b[i]!);
    }
  }
  const n = x.length;
  let diff = 0;
  for (let i = 0; i < n; i++) diff += x[i]! - y[i]!;
  const base = {
    test: stats.test === 't' ? ('paired-t' as const) : ('wilcoxon-signed-rank' as const),
    hypothesis,
    alternative,
    mu: null,
    n,
    excluded: a.length - n,
    estimate: n ? diff / n : NaN,
    correction: stats.correction,
    alpha: stats.alpha,
  };
  if (n < 2) return undefinedRecord(base, `only ${n} paired value(s): the test is undefined`);
  if (stats.test === 't') {
    const r = pairedTTest(x, y, { alternative });
    return finish(base, r.statistic, r.pValue, r.effectSize, interval(x, stats, y), r.warnings);
  }
  if (x.every((v, i) => v === y[i])) return undefinedRecord(base, 'every paired difference is zero: the Wilcoxon test is undefined (the samples are identical)');
  const r = wilcoxonSignedRank(x, y, { alternative });
  return finish(base, r.statistic, r.pValue, r.rankBiserial, interval(x, stats, y), r.warnings);
}

/**
 * One-sample test of per-image `x` against the value `mu` (NaN dropped): Wilcoxon signed-rank of `x - mu`
 * or the one-sample t-test per `stats.test`, with a bootstrap interval of `mean(x) - mu`.
 */
export function oneSampleComparison(x: Numbers, mu: number, alternative: Alternative, hypothesis: string, stats: StatisticsOptions): TestRecord {
  checkStats('oneSampleComparison', stats);
  if (!Number.isFinite(mu)) throw criteriaErrors.badOption('oneSampleComparison', 'mu', mu, 'a finite reference value');
  const values = finiteOnly(x);
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const base = {
    test: stats.test === 't' ? ('one-sample-t' as const) : ('wilcoxon-signed-rank' as const),
    hypothesis,
    alternative,
    mu,
    n,
    excluded: x.length - n,
    estimate: n ? sum / n - mu : NaN,
    correction: stats.correction,
    alpha: stats.alpha,
  };
  if (n < 2) return undefinedRecord(base, `only ${n} value(s): the test is undefined`);
  const ci = interval(values, stats);
  const shifted = ci && { ...ci, lower: ci.lower - mu, upper: ci.upper - mu };
  if (stats.test === 't') {
    const r = oneSampleTTest(values, { mu, alternative });
    return finish(base, r.statistic, r.pValue, r.effectSize, shifted, r.warnings);
  }
  const d = values.map((v) => v - mu);
  if (d.every((v) => v === 0)) return undefinedRecord(base, `every value equals ${mu}: the Wilcoxon test is undefined`);
  const r = wilcoxonSignedRank(d, undefined, { alternative });
  return finish(base, r.statistic, r.pValue, r.rankBiserial, shifted, r.warnings);
}

function finish(
  base: Omit<TestRecord, 'statistic' | 'pValue' | 'adjustedPValue' | 'family' | 'significant' | 'effectSize' | 'ci' | 'warnings'>,
  statistic: number,
  pValue: number,
  effectSize: number,
  ci: ConfidenceInterval | null,
  warnings: readonly string[],
): TestRecord {
  return { ...base, statistic, pValue, adjustedPValue: pValue, family: 1, significant: pValue < base.alpha, effectSize, ci, warnings };
}

/**
 * Applies the records' correction across a family (one test per method): Holm-adjusted p-values over the
 * defined tests, `family` set to their count, and `significant` recomputed; undefined tests stay NaN.
 */
export function adjustFamily(records: readonly TestRecord[]): TestRecord[] {
  const defined = records.map((r, i) => ({ r, i })).filter(({ r }) => Number.isFinite(r.pValue));
  const adjusted = new Map<number, number>();
  const holmed = holm(defined.map(({ r }) => r.pValue));
  defined.forEach(({ r, i }, k) => adjusted.set(i, r.correction === 'holm' ? holmed[k]! : r.pValue));
  return records.map((r, i) => {
    if (!adjusted.has(i)) return r;
    const p = adjusted.get(i)!;
    return { ...r, adjustedPValue: p, family: defined.length, significant: p < r.alpha };
  });
}
