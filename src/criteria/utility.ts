/**
 * Criterion 1, localization utility (Arun et al. 2021, https://doi.org/10.1148/ryai.2021200267): per-image
 * scores of each method's maps from the trained and the fully randomized model, of the average-mask prior
 * and of the localization network, summarised, and compared by one-sided paired tests (Holm across methods).
 */
import { criteriaErrors, describeTest, ruleTexts } from './messages.js';
import type { LocalizationScores } from './localization.js';
import { adjustFamily, pairedComparison, summarizeScores, type StatisticsOptions, type ScoreSummary, type TestRecord } from './statistics.js';

/** How the utility verdict is decided: the paper's mean comparison, or "not significantly worse" than the network. */
export type UtilityRule = 'mean-at-least' | 'not-significantly-worse';

/** Options of `evaluateUtility`. */
export interface UtilityOptions {
  readonly rule: UtilityRule;
  readonly statistics: StatisticsOptions;
}

/** Per-image localization scores of one series (a method on one model, or a baseline), aligned with the image ids. */
export interface UtilitySeries {
  /** Saliency method id, or the baseline's id (`average-mask`, `unet`, `retinanet`). */
  readonly method: string;
  /** The model(s) behind the maps, e.g. `inceptionv3-r1` or `inceptionv3-r1+r2+r3 (mean)`. */
  readonly model: string;
  readonly scores: readonly LocalizationScores[];
}

/** Everything utility needs: per-image scores of the trained and randomized maps and of the two baselines. */
export interface UtilityInput {
  readonly imageIds: readonly string[];
  /** One series per method, from the trained model. */
  readonly trained: readonly UtilitySeries[];
  /** One series per method, from the fully randomized model (matched by method id). */
  readonly randomized?: readonly UtilitySeries[];
  /** The localization network (U-Net probabilities or rasterised RetinaNet boxes). */
  readonly network: UtilitySeries;
  /** The average-mask prior. */
  readonly prior?: UtilitySeries;
}

/** Summaries of every localization score of one series. */
export interface LocalizationSummary {
  readonly auprc: ScoreSummary;
  readonly averagePrecision: ScoreSummary;
  readonly iou: ScoreSummary;
  readonly dice: ScoreSummary;
  readonly hitRate: ScoreSummary;
  /** Images whose map was degenerate (NaN). */
  readonly degenerate: number;
}

/** Utility of one method: summaries, the tests against the network, the randomized model and the prior, and the verdict. */
export interface UtilityMethodResult {
  readonly method: string;
  readonly model: string;
  readonly trained: LocalizationSummary;
  readonly randomized: LocalizationSummary | null;
  /** AUPRC(network) - AUPRC(method) > 0, Holm across methods. */
  readonly vsNetwork: TestRecord;
  /** AUPRC(trained) - AUPRC(randomized) > 0, Holm across methods (reported, not a pass rule). */
  readonly vsRandomized: TestRecord | null;
  /** AUPRC(method) - AUPRC(prior) > 0, Holm across methods (reported, not a pass rule). */
  readonly vsPrior: TestRecord | null;
  readonly pass: boolean;
  /** One sentence with the numbers that decided. */
  readonly reason: string;
}

/** The utility criterion's results. */
export interface UtilityResult {
  readonly criterion: 'utility';
  readonly metric: 'auprc';
  readonly images: number;
  readonly network: { readonly method: string; readonly model: string; readonly summary: LocalizationSummary };
  readonly prior: { readonly method: string; readonly model: string; readonly summary: LocalizationSummary } | null;
  readonly methods: readonly UtilityMethodResult[];
  /** Machine id of the rule, e.g. `utility/not-significantly-worse`. */
  readonly rule: string;
  readonly ruleText: string;
  readonly statistics: StatisticsOptions;
}

function column(scores: readonly LocalizationScores[], key: keyof Omit<LocalizationScores, 'degenerate'>): Float64Array {
  return Float64Array.from(scores, (s) => s[key]);
}

/** Summaries of AUPRC, AP, IoU, Dice and hit rate over images (NaN excluded and counted). */
export function summarizeLocalization(scores: readonly LocalizationScores[], stats: StatisticsOptions): LocalizationSummary {
  return {
    auprc: summarizeScores(column(scores, 'auprc'), stats),
    averagePrecision: summarizeScores(column(scores, 'averagePrecision'), stats),
    iou: summarizeScores(column(scores, 'iou'), stats),
    dice: summarizeScores(column(scores, 'dice'), stats),
    hitRate: summarizeScores(column(scores, 'hitRate'), stats),
    degenerate: scores.filter((s) => s.degenerate).length,
  };
}

function checkSeries(n: number, series: UtilitySeries): void {
  if (series.scores.length !== n) throw criteriaErrors.lengthMismatch('evaluateUtility', `${series.method} on ${series.model}`, series.scores.length, n);
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const fmtP = (p: number): string => (Number.isFinite(p) ? (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2)) : 'undefined');

/**
 * Scores localization utility: per method, summaries of the trained (and randomized) maps' scores, the
 * one-sided paired test that the network's AUPRC is higher, Holm-adjusted across methods, and the verdict
 * by `rule`. Tests against the randomized model and the prior are reported beside it.
 */
export function evaluateUtility(input: UtilityInput, options: UtilityOptions): UtilityResult {
  const n = input.imageIds.length;
  const stats = options.statistics;
  if (options.rule !== 'mean-at-least' && options.rule !== 'not-significantly-worse') {
    throw criteriaErrors.badOption('evaluateUtility', 'rule', options.rule, "'mean-at-least' or 'not-significantly-worse'");
  }
  checkSeries(n, input.network);
  if (input.prior) checkSeries(n, input.prior);
  const seen = new Set<string>();
  for (const s of input.trained) {
    if (seen.has(s.method)) throw criteriaErrors.duplicateMethod('evaluateUtility', s.method);
    seen.add(s.method);
    checkSeries(n, s);
  }
  for (const s of input.randomized ?? []) checkSeries(n, s);

  const networkAuprc = column(input.network.scores, 'auprc');
  const priorAuprc = input.prior ? column(input.prior.scores, 'auprc') : undefined;
  const randomizedBy = new Map((input.randomized ?? []).map((s) => [s.method, s]));
  const net = input.network.method;

  const vsNetwork = adjustFamily(input.trained.map((s) => pairedComparison(networkAuprc, column(s.scores, 'auprc'), 'greater', `AUPRC(${net}) > AUPRC(${s.method})`, stats)));
  const vsRandomizedRaw = input.trained.map((s) => {
    const r = randomizedBy.get(s.method);
    return r ? pairedComparison(column(s.scores, 'auprc'), column(r.scores, 'auprc'), 'greater', `AUPRC(${s.method}, trained) > AUPRC(${s.method}, randomized)`, stats) : null;
  });
  const vsRandomized = adjustNullable(vsRandomizedRaw);
  const vsPrior = adjustNullable(
    input.trained.map((s) =>
      priorAuprc ? pairedComparison(column(s.scores, 'auprc'), priorAuprc, 'greater', `AUPRC(${s.method}) > AUPRC(${input.prior!.method})`, stats) : null,
    ),
  );

  const networkSummary = summarizeLocalization(input.network.scores, stats);
  const testText = describeTest('paired', stats.test, stats.correction, stats.alpha);
  const methods = input.trained.map((s, k): UtilityMethodResult => {
    const trained = summarizeLocalization(s.scores, stats);
    const r = randomizedBy.get(s.method);
    const test = vsNetwork[k]!;
    const methodMean = trained.auprc.mean;
    const networkMean = networkSummary.auprc.mean;
    let pass: boolean;
    let reason: string;
    if (options.rule === 'mean-at-least') {
      pass = methodMean >= networkMean;
      reason = `mean AUPRC ${fmt(methodMean)} ${pass ? '>=' : '<'} ${net} ${fmt(networkMean)} (${net} better: adjusted p = ${fmtP(test.adjustedPValue)})`;
    } else {
      pass = !test.significant;
      reason = `${net} ${pass ? 'not significantly' : 'significantly'} better: mean AUPRC ${fmt(methodMean)} vs ${fmt(networkMean)}, adjusted p = ${fmtP(test.adjustedPValue)} ${pass ? '>=' : '<'} ${stats.alpha}`;
    }
    return {
      method: s.method,
      model: s.model,
      trained,
      randomized: r ? summarizeLocalization(r.scores, stats) : null,
      vsNetwork: test,
      vsRandomized: vsRandomized[k] ?? null,
      vsPrior: vsPrior[k] ?? null,
      pass,
      reason,
    };
  });
  return {
    criterion: 'utility',
    metric: 'auprc',
    images: n,
    network: { method: net, model: input.network.model, summary: networkSummary },
    prior: input.prior ? { method: input.prior.method, model: input.prior.model, summary: summarizeLocalization(input.prior.scores, stats) } : null,
    methods,
    rule: `utility/${options.rule}`,
    ruleText: options.rule === 'mean-at-least' ? ruleTexts.utilityMeanAtLeast(net, testText) : ruleTexts.utilityNotWorse(net, testText),
    statistics: stats,
  };
}

/** Holm over the non-null records, keeping nulls in place. */
export function adjustNullable(records: readonly (TestRecord | null)[]): (TestRecord | null)[] {
  const present = records.filter((r): r is TestRecord => r !== null);
  const adjusted = adjustFamily(present);
  let k = 0;
  return records.map((r) => (r === null ? null : adjusted[k++]!));
}
