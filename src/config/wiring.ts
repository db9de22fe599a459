/**
 * From a resolved config to the option objects the criteria and saliency functions take, so the job
 * plan (part 3) never re-derives a default. Pure mapping, no I/O.
 */
import type { BaselineOptions, ConsistencyOptions, GroundTruthOptions, LocalizationOptions, MapSsimOptions, RandomizationOptions, SelectionOptions, StatisticsOptions, UtilityOptions } from '../criteria/index.js';
import type { PostprocessOptions } from '../imaging/postprocess.js';
import type { BinarizeRule } from '../metrics/threshold.js';
import type { AuditConfig } from './schema.js';

/** Every option object the criteria need, derived from one config. */
export interface CriteriaSettings {
  readonly statistics: StatisticsOptions;
  /** SSIM of saliency maps (data range `criteria.ssim.dataRange`). */
  readonly ssim: MapSsimOptions;
  /** SSIM of localization-network maps (data range `criteria.ssim.localizationDataRange`). */
  readonly localizationSsim: MapSsimOptions;
  readonly localization: LocalizationOptions;
  readonly groundTruth: GroundTruthOptions;
  readonly utility: UtilityOptions;
  readonly baseline: BaselineOptions;
  readonly randomization: RandomizationOptions;
  readonly consistency: ConsistencyOptions;
  readonly selection: SelectionOptions;
}

function binarizeRule(b: AuditConfig['criteria']['utility']['binarize']): BinarizeRule {
  if (b.method === 'top-percent') return { method: 'top-percent', percent: b.percent! };
  if (b.method === 'fixed') return { method: 'fixed', threshold: b.threshold! };
  return b.bins === undefined ? { method: 'otsu' } : { method: 'otsu', bins: b.bins };
}

/** The criteria's option objects for a resolved config; `seed` (default the config seed) seeds the bootstrap and baseline pairs. */
export function criteriaSettings(config: AuditConfig, seed: number = config.seed): CriteriaSettings {
  const c = config.criteria;
  const statistics: StatisticsOptions = { ...c.statistics, seed };
  const { dataRange, localizationDataRange, ...window } = c.ssim;
  return {
    statistics,
    ssim: { ...window, dataRange },
    localizationSsim: { ...window, dataRange: localizationDataRange },
    localization: { binarize: binarizeRule(c.utility.binarize), hitTies: c.utility.hitTies },
    groundTruth: { boxRule: config.dataset.boxRule },
    utility: { rule: c.utility.rule, statistics },
    baseline: { ...c.randomization.baseline, seed },
    randomization: {
      rule: c.randomization.rule,
      replicateSd: c.randomization.replicateSd,
      ...(c.randomization.testState !== null ? { testState: c.randomization.testState } : {}),
      statistics,
    },
    consistency: { ...c.consistency, statistics },
    selection: { method: config.images.selection, count: config.images.count, seed: config.images.seed },
  };
}

/**
 * The options one saliency method is called with (its own options, post-processing, batch size, and for
 * stochastic methods the seed and common random numbers); the target is added by the caller, since
 * `label` needs each image's label.
 */
export function methodOptions(config: AuditConfig, methodId: keyof AuditConfig['saliency']['options'], seed: number = config.seed): Record<string, unknown> {
  const own = config.saliency.options[methodId] as Record<string, unknown>;
  const postprocess: PostprocessOptions = config.saliency.postprocess;
  const stochastic = methodId === 'smoothgrad' || methodId === 'smooth-ig';
  return {
    ...own,
    ...(stochastic ? { seed, commonRandomNumbers: config.saliency.commonRandomNumbers } : {}),
    postprocess,
    batchSize: config.saliency.batchSize,
  };
}
