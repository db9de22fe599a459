/**
 * The metrics layer's public surface: localization and similarity scores of saliency maps, and the
 * statistics that compare them. Pure functions on typed arrays (no I/O, no engine, no clock).
 */
export type { Numbers, UndefinedPolicy } from './arrays.js';
export { metricsErrorCodes } from './messages.js';
export { auprc, averagePrecision, rocAuc, rankingScores } from './ranking.js';
export type { PrecisionRecallOptions, RocAucOptions, RankingScores } from './ranking.js';
export { ssim, ssimDetails, ssimSettings } from './ssim.js';
export type { SsimOptions, SsimSettings, SsimDetails, SsimWindow } from './ssim.js';
export { otsuThreshold, thresholdMask, topPercentThreshold, topPercentMask, binarize } from './threshold.js';
export type { OtsuOptions, BinarizeRule, Binarized } from './threshold.js';
export { iou, dice, hitRate, energyInside } from './overlap.js';
export type { OverlapOptions, HitTies, HitOptions, EnergyOptions } from './overlap.js';
export { spearman, pearson } from './correlation.js';
export type { CorrelationOptions } from './correlation.js';
export { pairedTTest, oneSampleTTest, wilcoxonSignedRank, holm, pairedCohensD } from './stats.js';
export type { Alternative, TestOptions, OneSampleOptions, WilcoxonOptions, TTestResult, WilcoxonResult } from './stats.js';
export { bootstrapCi } from './bootstrap.js';
export type { BootstrapOptions, BootstrapInterval } from './bootstrap.js';
export { studentTCdf, normalCdf, normalSf } from './distributions.js';
