/**
 * Criterion 2, sensitivity to model-weight randomization (Arun et al. 2021; Adebayo et al. 2018,
 * https://arxiv.org/abs/1810.03292): for every replicate and cascading state (Original, Logits, then blocks
 * top-down), the SSIM of each image's map with its Original map. The curve is the mean +- SD over
 * replicates of the per-replicate mean SSIM; it passes the paper's rule when it drops below the
 * randomization baseline at some state, and the one-sided one-sample test checks the same at one state.
 */
import type { Numbers } from '../metrics/arrays.js';
import type { RandomizationBaseline } from './baseline.js';
import { criteriaErrors, describeTest, ruleTexts } from './messages.js';
import { adjustFamily, nanMeanPerImage, oneSampleComparison, type StatisticsOptions, type TestRecord } from './statistics.js';

/** How the randomization verdict is decided: the paper's curve rule, the test, or both. */
export type RandomizationRule = 'paper' | 'test' | 'both';

/** Options of `evaluateRandomization`. */
export interface RandomizationOptions {
  readonly rule: RandomizationRule;
  /** SD of the curve across replicates: `population` (numpy's `np.std`, the paper's band) or `sample`. */
  readonly replicateSd: 'population' | 'sample';
  /** The state whose per-image SSIM is tested against the baseline: the last (fully randomized, default) or a named one. */
  readonly testState?: string;
  readonly statistics: StatisticsOptions;
}

/** One replicate's per-image SSIM with its own Original map, one array per randomized state. */
export interface RandomizationReplicate {
  readonly model: string;
  /** `ssim[k][i]`: state `states[k]`, image i; NaN for a degenerate map (excluded and counted). */
  readonly ssim: readonly Numbers[];
}

/** The inputs of one method. */
export interface RandomizationInput {
  readonly method: string;
  readonly imageIds: readonly string[];
  /** Randomized states after Original, top-down, e.g. `['logits', 'mixed10', ..., 'mixed1']`. */
  readonly states: readonly string[];
  readonly replicates: readonly RandomizationReplicate[];
  readonly baseline: RandomizationBaseline;
}

/** One point of the curve. */
export interface CurvePoint {
  readonly state: string;
  /** Mean over replicates of each replicate's mean per-image SSIM (replicates with no defined SSIM are skipped). */
  readonly mean: number;
  readonly sd: number;
  readonly replicateMeans: readonly number[];
  /** Per-image SSIMs that were NaN, over all replicates. */
  readonly excluded: number;
  readonly belowBaseline: boolean;
}

/** Randomization results of one method. */
export interface RandomizationMethodResult {
  readonly method: string;
  readonly curve: readonly CurvePoint[];
  readonly baseline: RandomizationBaseline;
  /** The paper's rule: the first state where the mean curve is below the baseline, and the curve's minimum. */
  readonly paperRule: { readonly pass: boolean; readonly firstStateBelow: string | null; readonly minimumState: string; readonly minimum: number };
  /** Per-image SSIM (mean over replicates per image) at `testState` < baseline, Holm across methods. */
  readonly test: TestRecord;
  readonly testState: string;
  readonly pass: boolean;
  readonly reason: string;
}

/** The randomization criterion's results. */
export interface RandomizationResult {
  readonly criterion: 'randomization';
  readonly methods: readonly RandomizationMethodResult[];
  readonly rule: string;
  readonly ruleText: string;
  readonly replicateSd: 'population' | 'sample';
  readonly statistics: StatisticsOptions;
}

/** The name of the unrandomized state that opens every curve. */
export const originalState = 'original';

function meanFinite(values: Numbers): { mean: number; excluded: number } {
  let s = 0;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      s += values[i]!;
      k++;
    }
  }
  return { mean: k ? s / k : NaN, excluded: values.length - k };
}

function spread(values: readonly number[], kind: 'population' | 'sample'): number {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0 || (kind === 'sample' && n < 2)) return NaN;
  const m = finite.reduce((a, b) => a + b, 0) / n;
  const ss = finite.reduce((a, v) => a + (v - m) * (v - m), 0);
  return Math.sqrt(ss / (kind === 'sample' ? n - 1 : n));
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const fmtP = (p: number): string => (Number.isFinite(p) ? (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2)) : 'undefined');

/** The curve of one method: Original (SSIM 1 by definition) then each state's mean +- SD over replicates. */
export function randomizationCurve(input: RandomizationInput, replicateSd: 'population' | 'sample'): CurvePoint[] {
  const n = input.imageIds.length;
  if (input.states.length === 0) throw criteriaErrors.noStates(input.method);
  if (input.replicates.length === 0) throw criteriaErrors.badOption(`randomization of ${input.method}`, 'replicates', 0, 'at least one replicate');
  const baseline = input.baseline.value;
  const original: CurvePoint = {
    state: originalState,
    mean: 1,
    sd: 0,
    replicateMeans: input.replicates.map(() => 1),
    excluded: 0,
    belowBaseline: 1 < baseline,
  };
  const points = input.states.map((state, k): CurvePoint => {
    let excluded = 0;
    const replicateMeans = input.replicates.map((r) => {
      const values = r.ssim[k];
      if (!values) throw criteriaErrors.lengthMismatch(`randomization of ${input.method}`, `${r.model} states`, r.ssim.length, input.states.length);
      if (values.length !== n) throw criteriaErrors.lengthMismatch(`randomization of ${input.method}`, `${r.model} at ${state}`, values.length, n);
      const m = meanFinite(values);
      excluded += m.excluded;
      return m.mean;
    });
    const defined = replicateMeans.filter(Number.isFinite);
    const mean = defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN;
    return { state, mean, sd: spread(replicateMeans, replicateSd), replicateMeans, excluded, belowBaseline: mean < baseline };
  });
  return [original, ...points];
}

/**
 * Scores the randomization criterion for each method: the curve, the paper's rule (mean curve below the
 * baseline at some randomized state), the one-sided one-sample test of per-image SSIM at `testState`
 * (default the last state) against the baseline, Holm-adjusted across methods, and the verdict by `rule`.
 */
export function evaluateRandomization(inputs: readonly RandomizationInput[], options: RandomizationOptions): RandomizationResult {
  const stats = options.statistics;
  if (!['paper', 'test', 'both'].includes(options.rule)) throw criteriaErrors.badOption('evaluateRandomization', 'rule', options.rule, "'paper', 'test' or 'both'");
  const prepared = inputs.map((input) => {
    const curve = randomizationCurve(input, options.replicateSd);
    const testState = options.testState ?? input.states[input.states.length - 1]!;
    const k = input.states.indexOf(testState);
    if (k < 0) throw criteriaErrors.badOption(`randomization of ${input.method}`, 'testState', testState, `one of ${input.states.join(', ')}`);
    const perImage = nanMeanPerImage(input.replicates.map((r) => r.ssim[k]!));
    const baselineValue = input.baseline.value;
    const test = Number.isFinite(baselineValue)
      ? oneSampleComparison(perImage, baselineValue, 'less', `SSIM(${input.method}, ${testState} vs original) < baseline ${fmt(baselineValue)}`, stats)
      : oneSampleComparison([], 0, 'less', `SSIM(${input.method}) < undefined baseline`, stats);
    return { input, curve, testState, test };
  });
  const tests = adjustFamily(prepared.map((p) => p.test));
  const testText = describeTest('one-sample', stats.test, stats.correction, stats.alpha);
  const methods = prepared.map(({ input, curve, testState }, j): RandomizationMethodResult => {
    const randomized = curve.slice(1);
    const first = randomized.find((p) => p.belowBaseline);
    let minimum = randomized[0]!;
    for (const p of randomized) if (p.mean < minimum.mean) minimum = p;
    const paperPass = first !== undefined;
    const test = tests[j]!;
    const pass = options.rule === 'paper' ? paperPass : options.rule === 'test' ? test.significant : paperPass && test.significant;
    const base = fmt(input.baseline.value);
    const paperReason = paperPass
      ? `mean SSIM ${fmt(first.mean)} at ${first.state} < baseline ${base}`
      : `mean SSIM stays above baseline ${base} (lowest ${fmt(minimum.mean)} at ${minimum.state})`;
    const testReason = `SSIM at ${testState} ${test.significant ? 'significantly' : 'not significantly'} below ${base} (adjusted p = ${fmtP(test.adjustedPValue)})`;
    const reason = options.rule === 'paper' ? `${paperReason}; ${testReason}` : options.rule === 'test' ? `${testReason}; ${paperReason}` : `${paperReason}; ${testReason}`;
    return {
      method: input.method,
      curve,
      baseline: input.baseline,
      paperRule: { pass: paperPass, firstStateBelow: first?.state ?? null, minimumState: minimum.state, minimum: minimum.mean },
      test,
      testState,
      pass,
      reason,
    };
  });
  const stateName = options.testState ?? 'last (fully randomized)';
  return {
    criterion: 'randomization',
    methods,
    rule: `randomization/${options.rule}`,
    ruleText:
      options.rule === 'paper'
        ? ruleTexts.randomizationPaper()
        : options.rule === 'test'
          ? ruleTexts.randomizationTest(stateName, testText)
          : ruleTexts.randomizationBoth(stateName, testText),
    replicateSd: options.replicateSd,
    statistics: stats,
  };
}
