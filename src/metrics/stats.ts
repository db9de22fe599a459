/**
 * Hypothesis tests for comparing per-image scores, with scipy 1.10 semantics so a reader can check any
 * number: paired and one-sample t-tests (`ttest_rel`, `ttest_1samp`), the Wilcoxon signed-rank test
 * (`wilcoxon` with zero_method 'wilcox', no continuity correction, exact/normal switching), Holm's
 * step-down adjustment, and effect sizes. Arun et al. 2021 state P < .005 but not the test; the protocol
 * recommends paired one-sided tests (Wilcoxon or t) at alpha = 0.005.
 */
import { checkChoice, checkFinite, checkPair, averageRanks, mean, sampleVariance, type Numbers } from './arrays.js';
import { normalCdf, normalSf, studentTCdf } from './distributions.js';
import { metricsErrors } from './messages.js';

/** The alternative hypothesis: the first sample (or the differences) is greater, less, or either. */
export type Alternative = 'two-sided' | 'greater' | 'less';

const alternatives: readonly Alternative[] = ['two-sided', 'greater', 'less'];

/** Options shared by the tests; `alternative` defaults to `'two-sided'`. */
export interface TestOptions {
  readonly alternative?: Alternative;
}

/** Result of a t-test, with the estimate and an effect size beside the statistic and p-value. */
export interface TTestResult {
  readonly test: 'paired-t' | 'one-sample-t';
  readonly alternative: Alternative;
  /** t = estimate / standardError (NaN when every difference is equal and the mean is zero). */
  readonly statistic: number;
  readonly pValue: number;
  readonly df: number;
  readonly n: number;
  /** Mean of a - b (paired) or of x - mu (one-sample). */
  readonly estimate: number;
  readonly standardError: number;
  /** Cohen's d: estimate divided by the sample standard deviation (d_z for paired data). */
  readonly effectSize: number;
  /** Things a report should say (e.g. zero variance). */
  readonly warnings: readonly string[];
}

/** Result of the Wilcoxon signed-rank test. */
export interface WilcoxonResult {
  readonly test: 'wilcoxon-signed-rank';
  readonly alternative: Alternative;
  /** scipy's statistic: min(W+, W-) when two-sided, W+ (the rank sum of positive a - b) when one-sided. */
  readonly statistic: number;
  readonly pValue: number;
  /** How the p-value was computed. */
  readonly method: 'exact' | 'approx';
  /** Differences ranked (zeros excluded in the normal approximation, per zero_method 'wilcox'). */
  readonly n: number;
  /** Number of zero differences in the input. */
  readonly zeros: number;
  readonly wPlus: number;
  readonly wMinus: number;
  /** The normal deviate, for the approximation only. */
  readonly z: number | undefined;
  /** Matched-pairs rank-biserial correlation (W+ - W-) / (W+ + W-), an effect size in [-1, 1]. */
  readonly rankBiserial: number;
  readonly warnings: readonly string[];
}

/** Options of `wilcoxonSignedRank`: `method` defaults to `'auto'` (exact when n <= 50 and no zero difference). */
export interface WilcoxonOptions extends TestOptions {
  readonly method?: 'auto' | 'exact' | 'approx';
}

/** Options of `oneSampleTTest`: `mu` (default 0) is the hypothesised mean. */
export interface OneSampleOptions extends TestOptions {
  readonly mu?: number;
}

function resolveAlternative(what: string, options: TestOptions): Alternative {
  const alternative = options.alternative ?? 'two-sided';
  checkChoice(what, 'alternative', alternative, alternatives);
  return alternative;
}

function differences(what: string, a: Numbers, b: Numbers): Float64Array {
  checkPair(what, a, b);
  checkFinite(what, a);
  checkFinite(what, b);
  const d = new Float64Array(a.length);
  for (let i = 0; i < d.length; i++) d[i] = a[i]! - b[i]!;
  return d;
}

function tTest(test: TTestResult['test'], d: Float64Array, alternative: Alternative): TTestResult {
  const n = d.length;
  const df = n - 1;
  const estimate = mean(d);
  const variance = sampleVariance(d, estimate);
  const sd = Math.sqrt(variance);
  const standardError = Math.sqrt(variance / n);
  // 0/0 is NaN and x/0 is +-Infinity, as in scipy.
  const statistic = estimate / standardError;
  const warnings: string[] = [];
  if (variance === 0) warnings.push('all differences are equal (zero variance): the t statistic is infinite or undefined');
  let pValue: number;
  if (alternative === 'two-sided') pValue = 2 * studentTCdf(-Math.abs(statistic), df);
  else if (alternative === 'greater') pValue = studentTCdf(-statistic, df);
  else pValue = studentTCdf(statistic, df);
  return { test, alternative, statistic, pValue, df, n, estimate, standardError, effectSize: estimate / sd, warnings };
}

/**
 * Paired t-test of `a - b` against zero, as scipy's `ttest_rel` (t = mean / (sd / sqrt(n)), n - 1
 * degrees of freedom); `alternative` (default `'two-sided'`) says which of a > b, a < b is tested.
 * Returns the statistic, p-value, mean difference and Cohen's d_z.
 */
export function pairedTTest(a: Numbers, b: Numbers, options: TestOptions = {}): TTestResult {
  const alternative = resolveAlternative('pairedTTest', options);
  const d = differences('pairedTTest', a, b);
  if (d.length < 2) throw metricsErrors.tooFew('pairedTTest', d.length, 2);
  return tTest('paired-t', d, alternative);
}

/**
 * One-sample t-test of `x` against the mean `mu` (default 0), as scipy's `ttest_1samp`;
 * `alternative` (default `'two-sided'`) tests mean > mu (`'greater'`) or mean < mu (`'less'`).
 */
export function oneSampleTTest(x: Numbers, options: OneSampleOptions = {}): TTestResult {
  const alternative = resolveAlternative('oneSampleTTest', options);
  const mu = options.mu ?? 0;
  if (!Number.isFinite(mu)) throw metricsErrors.badOption('oneSampleTTest', 'mu', mu, 'a finite number');
  if (x.length < 2) throw metricsErrors.tooFew('oneSampleTTest', x.length, 2);
  checkFinite('oneSampleTTest', x);
  const d = new Float64Array(x.length);
  for (let i = 0; i < d.length; i++) d[i] = x[i]! - mu;
  return tTest('one-sample-t', d, alternative);
}

const wilcoxonCache = new Map<number, Float64Array>();

/**
 * Null distribution of W+ for n untied ranks, P(W+ = k) for k = 0..n(n+1)/2, built by halving as scipy
 * does. For n <= 50 every value is a dyadic fraction held exactly, so sums of it are exact too.
 */
function wilcoxonDistribution(n: number): Float64Array {
  const cached = wilcoxonCache.get(n);
  if (cached) return cached;
  let c = new Float64Array([1]);
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array((k * (k + 1)) / 2 + 1);
    const m = c.length;
    for (let s = 0; s < m; s++) next[s] = c[s]! * 0.5;
    const shift = next.length - m;
    for (let s = 0; s < m; s++) next[shift + s]! += c[s]! * 0.5;
    c = next;
  }
  wilcoxonCache.set(n, c);
  return c;
}

function sumRange(values: Float64Array, start: number, end: number): number {
  let s = 0;
  for (let i = Math.max(0, start); i < Math.min(values.length, end); i++) s += values[i]!;
  return s;
}

/**
 * Wilcoxon signed-rank test of the paired differences `a - b` (or of `a` alone when `b` is omitted),
 * with scipy 1.10's semantics: zero_method 'wilcox', no continuity correction, `method: 'auto'` (default)
 * uses the exact null distribution when n <= 50 and no difference is zero (tied ranks are averaged and
 * W+ truncated to an integer, as scipy does) and otherwise the normal approximation with zeros dropped
 * and the tie correction. `alternative` defaults to `'two-sided'`.
 */
export function wilcoxonSignedRank(a: Numbers, b?: Numbers, options: WilcoxonOptions = {}): WilcoxonResult {
  const what = 'wilcoxonSignedRank';
  const alternative = resolveAlternative(what, options);
  const requested = options.method ?? 'auto';
  checkChoice(what, 'method', requested, ['auto', 'exact', 'approx']);
  let d: Float64Array;
  if (b === undefined) {
    if (a.length === 0) throw metricsErrors.empty(what);
    checkFinite(what, a);
    d = Float64Array.from(a);
  } else {
    d = differences(what, a, b);
  }
  const warnings: string[] = [];
  let zeros = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) zeros++;
  let method: 'exact' | 'approx' = requested === 'auto' ? (d.length <= 50 ? 'exact' : 'approx') : requested;
  if (zeros > 0 && method === 'exact') {
    method = 'approx';
    warnings.push(`${zeros} zero difference(s): the exact distribution does not apply, so the normal approximation was used (as scipy does)`);
  }
  if (method === 'approx') {
    if (zeros === d.length) throw metricsErrors.allZeroDifferences(d.length);
    if (zeros > 0) d = d.filter((v) => v !== 0);
  }
  const count = d.length;
  if (count < 10 && method === 'approx') warnings.push(`only ${count} differences: the normal approximation is rough below 10`);
  const absolute = d.map(Math.abs);
  const { ranks, tieSizes } = averageRanks(absolute);
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < count; i++) {
    if (d[i]! > 0) wPlus += ranks[i]!;
    else if (d[i]! < 0) wMinus += ranks[i]!;
  }
  const statistic = alternative === 'two-sided' ? Math.min(wPlus, wMinus) : wPlus;
  let pValue: number;
  let z: number | undefined;
  if (method === 'approx') {
    const mn = count * (count + 1) * 0.25;
    let se = count * (count + 1) * (2 * count + 1);
    for (const t of tieSizes) se -= 0.5 * t * (t * t - 1);
    se = Math.sqrt(se / 24);
    z = (statistic - mn) / se;
    if (alternative === 'two-sided') pValue = 2 * normalSf(Math.abs(z));
    else if (alternative === 'greater') pValue = normalSf(z);
    else pValue = normalCdf(z);
  } else {
    if (tieSizes.length) warnings.push('tied differences: the exact distribution assumes untied ranks (W+ truncated to an integer, as scipy does)');
    const pmf = wilcoxonDistribution(count);
    const r = Math.trunc(wPlus);
    const pLess = sumRange(pmf, 0, r + 1);
    const pGreater = sumRange(pmf, r, pmf.length);
    if (alternative === 'two-sided') pValue = r === (pmf.length - 1) >> 1 ? 1 : 2 * Math.min(pGreater, pLess);
    else if (alternative === 'greater') pValue = pGreater;
    else pValue = pLess;
    pValue = Math.min(1, Math.max(0, pValue));
  }
  const rankSum = wPlus + wMinus;
  return {
    test: 'wilcoxon-signed-rank',
    alternative,
    statistic,
    pValue,
    method,
    n: count,
    zeros,
    wPlus,
    wMinus,
    z,
    rankBiserial: rankSum > 0 ? (wPlus - wMinus) / rankSum : NaN,
    warnings,
  };
}

/**
 * Holm-Bonferroni step-down adjusted p-values, in input order: the i-th smallest p (0-based) is
 * multiplied by (m - i), made non-decreasing, and capped at 1 (as statsmodels' `multipletests(method='holm')`).
 */
export function holm(pValues: Numbers): Float64Array {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw metricsErrors.badOption('holm', `pValues[${i}]`, p, 'a probability in [0, 1]');
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => pValues[i]! - pValues[j]! || i - j);
  const adjusted = new Float64Array(m);
  let running = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k]!;
    running = Math.max(running, Math.min(1, (m - k) * pValues[i]!));
    adjusted[i] = running;
  }
  return adjusted;
}

/** Cohen's d for paired samples (d_z): the mean of a - b over the sample standard deviation of a - b. */
export function pairedCohensD(a: Numbers, b: Numbers): number {
  const d = differences('pairedCohensD', a, b);
  if (d.length < 2) throw metricsErrors.tooFew('pairedCohensD', d.length, 2);
  const m = mean(d);
  return m / Math.sqrt(sampleVariance(d, m));
}
