/**
 * Seeded percentile bootstrap intervals of a mean and of a paired mean difference. Every draw comes
 * from `createRng(seed)`, so an interval repeats exactly with its seed, which is recorded in the result.
 */
import { createRng } from '../core/rng.js';
import { checkFinite, checkPair, mean, type Numbers } from './arrays.js';
import { metricsErrors } from './messages.js';

/** Options of `bootstrapCi`: `seed` is required; `resamples` defaults to 10000 and `confidence` to 0.95. */
export interface BootstrapOptions {
  readonly seed: number;
  readonly resamples?: number;
  readonly confidence?: number;
  /** A second sample paired with the first: the interval is then of the mean of `values - paired`. */
  readonly paired?: Numbers;
}

/** A percentile bootstrap interval with everything needed to repeat it. */
export interface BootstrapInterval {
  readonly statistic: 'mean' | 'mean-paired-difference';
  readonly method: 'percentile';
  /** The statistic on the original sample. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
  readonly n: number;
}

/** numpy's default (linear) quantile of an ascending array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const fraction = position - low;
  return sorted[low]! + (sorted[high]! - sorted[low]!) * fraction;
}

/**
 * Percentile bootstrap confidence interval of the mean of `values` (or, with `paired`, of the mean paired
 * difference `values - paired`, resampling pairs): `resamples` (default 10000) resamples of n with
 * replacement drawn from `createRng(seed)`, bounds at the (1 - confidence) / 2 and (1 + confidence) / 2
 * quantiles (linear interpolation; `confidence` defaults to 0.95).
 */
export function bootstrapCi(values: Numbers, options: BootstrapOptions): BootstrapInterval {
  const what = 'bootstrapCi';
  const resamples = options.resamples ?? 10000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isSafeInteger(options.seed)) throw metricsErrors.badOption(what, 'seed', options.seed, 'a safe integer (the interval repeats exactly with it)');
  if (!Number.isInteger(resamples) || resamples < 2) throw metricsErrors.badOption(what, 'resamples', resamples, 'an integer >= 2');
  if (!(confidence > 0 && confidence < 1)) throw metricsErrors.badOption(what, 'confidence', confidence, 'a number strictly between 0 and 1');
  let sample: Float64Array;
  if (options.paired !== undefined) {
    checkPair(what, values, options.paired);
    checkFinite(what, options.paired);
    sample = new Float64Array(values.length);
    for (let i = 0; i < sample.length; i++) sample[i] = values[i]! - options.paired[i]!;
  } else {
    if (values.length === 0) throw metricsErrors.empty(what);
    sample = Float64Array.from(values);
  }
  checkFinite(what, sample);
  const n = sample.length;
  const rng = createRng(options.seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += sample[rng.int(n)]!;
    means[b] = s / n;
  }
  means.sort();
  return {
    statistic: options.paired !== undefined ? 'mean-paired-difference' : 'mean',
    method: 'percentile',
    estimate: mean(sample),
    lower: quantileSorted(means, (1 - confidence) / 2),
    upper: quantileSorted(means, (1 + confidence) / 2),
    confidence,
    resamples,
    seed: options.seed,
    n,
  };
}
