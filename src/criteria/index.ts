/**
 * The criteria layer's public surface: the four trustworthiness criteria of Arun et al. 2021
 * (https://doi.org/10.1148/ryai.2021200267) and their baselines as pure functions over injected maps,
 * ground truth and per-image scores, the statistics that decide them, the verdict table, per-image rows,
 * and the paper's image selection.
 */
export { criteriaErrorCodes, ruleTexts, describeTest } from './messages.js';
export {
  criteriaStatisticsDefaults,
  summarizeScores,
  nanMeanPerImage,
  pairedComparison,
  oneSampleComparison,
  adjustFamily,
} from './statistics.js';
export type { TestKind, CorrectionMethod, StatisticsOptions, ConfidenceInterval, ScoreSummary, TestRecord } from './statistics.js';
export { scoreLocalization, groundTruthMask, detectionMap, meanLocalizationScores } from './localization.js';
export type { LocalizationOptions, LocalizationScores, GroundTruthOptions } from './localization.js';
export { createAverageMaskAccumulator } from './average-mask.js';
export type { AverageMaskAccumulator } from './average-mask.js';
export { evaluateUtility, summarizeLocalization, adjustNullable } from './utility.js';
export type { UtilityRule, UtilityOptions, UtilitySeries, UtilityInput, LocalizationSummary, UtilityMethodResult, UtilityResult } from './utility.js';
export { sampleBaselinePairs, randomizationBaseline, mapSsim } from './baseline.js';
export type { BaselineScheme, BaselineOptions, BaselinePair, MapSsimOptions, MapSource, RandomizationBaseline, MapComparison } from './baseline.js';
export { evaluateRandomization, randomizationCurve, originalState } from './randomization.js';
export type {
  RandomizationRule,
  RandomizationOptions,
  RandomizationReplicate,
  RandomizationInput,
  CurvePoint,
  RandomizationMethodResult,
  RandomizationResult,
} from './randomization.js';
export { evaluateConsistency, allPairs, crossPairs } from './consistency.js';
export type {
  ConsistencyCriterion,
  ConsistencyRule,
  ConsistencyOptions,
  ModelPairSsim,
  ConsistencyInput,
  ConsistencyMethodResult,
  ConsistencyResult,
} from './consistency.js';
export { buildVerdictTable, formatVerdictTable, criterionIds } from './verdict.js';
export type { CriterionId, Verdict, VerdictTable, CriteriaResults } from './verdict.js';
export { perImageColumns, localizationRows, ssimRows, perImageRecord } from './per-image.js';
export type { PerImageRow, PerImageColumn } from './per-image.js';
export { createPythonRandom, createMersenneTwister } from './python-random.js';
export type { PythonRandom } from './python-random.js';
export { selectImages } from './selection.js';
export type { SelectionMethod, SelectionOptions, Selection } from './selection.js';
