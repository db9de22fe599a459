/**
 * Criteria 3 and 4, repeatability and reproducibility (Arun et al. 2021): the per-image SSIM between maps
 * of two replicates of one architecture (all pairs), or between architectures. The reference is the
 * localization networks' replicate-vs-replicate SSIM (U-Net, RetinaNet). Two pass rules, both reported
 * (Venkatesh et al. 2024, https://doi.org/10.1007/s10278-024-01136-4): weak = significantly above 0.5;
 * strong = not significantly below the localization network's value.
 */
import type { Numbers } from '../metrics/arrays.js';
import { criteriaErrors, describeTest, ruleTexts } from './messages.js';
import { adjustFamily, nanMeanPerImage, oneSampleComparison, pairedComparison, summarizeScores, type StatisticsOptions, type ScoreSummary, type TestRecord } from './statistics.js';
import { adjustNullable } from './utility.js';

/** Which consistency criterion: same architecture (repeatability) or across architectures (reproducibility). */
export type ConsistencyCriterion = 'repeatability' | 'reproducibility';

/** Which rule decides the verdict; both are always computed and reported. */
export type ConsistencyRule = 'weak' | 'strong' | 'both';

/** Options of `evaluateConsistency`. */
export interface ConsistencyOptions {
  readonly rule: ConsistencyRule;
  /** The weak rule's reference SSIM (0.5, the paper's dashed line). */
  readonly threshold: number;
  readonly statistics: StatisticsOptions;
}

/** Per-image SSIM between the maps of two models. */
export interface ModelPairSsim {
  readonly a: string;
  readonly b: string;
  readonly ssim: Numbers;
}

/** The inputs of one method (or of the reference network): its model pairs, aligned with the image ids. */
export interface ConsistencyInput {
  readonly method: string;
  readonly pairs: readonly ModelPairSsim[];
}

/** Consistency results of one method. */
export interface ConsistencyMethodResult {
  readonly method: string;
  readonly pairs: readonly { readonly a: string; readonly b: string; readonly summary: ScoreSummary }[];
  /** Per-image SSIM averaged over the pairs, summarised. */
  readonly summary: ScoreSummary;
  /** SSIM > threshold, Holm across methods. */
  readonly weak: TestRecord;
  /** SSIM(method) - SSIM(reference) < 0, Holm across methods; null without a reference. */
  readonly strong: TestRecord | null;
  readonly weakPass: boolean;
  /** Not significantly below the reference; null without a reference. */
  readonly strongPass: boolean | null;
  readonly pass: boolean | null;
  readonly reason: string;
}

/** Results of one consistency criterion. */
export interface ConsistencyResult {
  readonly criterion: ConsistencyCriterion;
  readonly images: number;
  readonly reference: { readonly method: string; readonly summary: ScoreSummary } | null;
  readonly methods: readonly ConsistencyMethodResult[];
  readonly rule: string;
  readonly ruleText: string;
  readonly weakRuleText: string;
  readonly strongRuleText: string;
  readonly threshold: number;
  readonly statistics: StatisticsOptions;
}

/** Every unordered pair of the given models (repeatability: all replicate pairs), in order. */
export function allPairs(models: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < models.length; i++) for (let j = i + 1; j < models.length; j++) out.push([models[i]!, models[j]!]);
  return out;
}

/** Every pair with one model from each group (reproducibility: each replicate against each other-architecture model). */
export function crossPairs(groupA: readonly string[], groupB: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const a of groupA) for (const b of groupB) out.push([a, b]);
  return out;
}

function perImage(input: ConsistencyInput, n: number, what: string): Float64Array {
  if (input.pairs.length === 0) throw criteriaErrors.badOption(what, `${input.method} pairs`, 0, 'at least one model pair');
  for (const p of input.pairs) if (p.ssim.length !== n) throw criteriaErrors.lengthMismatch(what, `${input.method} ${p.a} vs ${p.b}`, p.ssim.length, n);
  return nanMeanPerImage(input.pairs.map((p) => p.ssim));
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const fmtP = (p: number): string => (Number.isFinite(p) ? (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2)) : 'undefined');

/**
 * Scores repeatability or reproducibility: per method, the per-image SSIM averaged over its model pairs,
 * the weak test (one-sided one-sample, above `threshold`) and, given the localization network's
 * per-image replicate-vs-replicate SSIM on the same images, the strong test (one-sided paired, below the
 * network), each Holm-adjusted across methods; the verdict follows `rule`.
 */
export function evaluateConsistency(
  criterion: ConsistencyCriterion,
  imageIds: readonly string[],
  inputs: readonly ConsistencyInput[],
  reference: ConsistencyInput | null,
  options: ConsistencyOptions,
): ConsistencyResult {
  const what = `evaluateConsistency(${criterion})`;
  const stats = options.statistics;
  if (!['weak', 'strong', 'both'].includes(options.rule)) throw criteriaErrors.badOption(what, 'rule', options.rule, "'weak', 'strong' or 'both'");
  if (!Number.isFinite(options.threshold)) throw criteriaErrors.badOption(what, 'threshold', options.threshold, 'a number (0.5 in the paper)');
  const n = imageIds.length;
  const referenceValues = reference ? perImage(reference, n, what) : null;
  const refName = reference?.method ?? 'localization network';
  const values = inputs.map((input) => perImage(input, n, what));
  const weak = adjustFamily(
    inputs.map((input, k) => oneSampleComparison(values[k]!, options.threshold, 'greater', `SSIM(${input.method}, ${criterion}) > ${options.threshold}`, stats)),
  );
  const strong = adjustNullable(
    inputs.map((input, k) =>
      referenceValues ? pairedComparison(values[k]!, referenceValues, 'less', `SSIM(${input.method}, ${criterion}) < SSIM(${refName})`, stats) : null,
    ),
  );
  const methods = inputs.map((input, k): ConsistencyMethodResult => {
    const summary = summarizeScores(values[k]!, stats);
    const weakTest = weak[k]!;
    const strongTest = strong[k] ?? null;
    const weakPass = weakTest.significant;
    const strongPass = strongTest ? !strongTest.significant : null;
    const pass = options.rule === 'weak' ? weakPass : options.rule === 'strong' ? strongPass : strongPass === null ? null : weakPass && strongPass;
    const weakReason = `mean SSIM ${fmt(summary.mean)} ${weakPass ? 'significantly' : 'not significantly'} above ${options.threshold} (adjusted p = ${fmtP(weakTest.adjustedPValue)})`;
    const strongReason = strongTest
      ? `${strongPass ? 'not significantly' : 'significantly'} below ${refName} ${fmt(summary.mean - strongTest.estimate)} (adjusted p = ${fmtP(strongTest.adjustedPValue)})`
      : `no ${refName} reference`;
    return {
      method: input.method,
      pairs: input.pairs.map((p) => ({ a: p.a, b: p.b, summary: summarizeScores(p.ssim, stats) })),
      summary,
      weak: weakTest,
      strong: strongTest,
      weakPass,
      strongPass,
      pass,
      reason: `weak: ${weakReason}; strong: ${strongReason}`,
    };
  });
  const oneSample = describeTest('one-sample', stats.test, stats.correction, stats.alpha);
  const paired = describeTest('paired', stats.test, stats.correction, stats.alpha);
  const weakRuleText = ruleTexts.consistencyWeak(criterion, options.threshold, oneSample);
  const strongRuleText = reference ? ruleTexts.consistencyStrong(criterion, refName, paired) : ruleTexts.consistencyNoReference(criterion);
  return {
    criterion,
    images: n,
    reference: reference && referenceValues ? { method: reference.method, summary: summarizeScores(referenceValues, stats) } : null,
    methods,
    rule: `${criterion}/${options.rule}`,
    ruleText: options.rule === 'weak' ? weakRuleText : options.rule === 'strong' ? strongRuleText : ruleTexts.consistencyBoth(criterion, options.threshold, refName),
    weakRuleText,
    strongRuleText,
    threshold: options.threshold,
    statistics: stats,
  };
}
