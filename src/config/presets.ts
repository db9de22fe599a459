/**
 * The two presets. `arun2021` reproduces Arun et al. 2021 choice for choice, its defects included (see
 * ../shared/spec/arun2021-protocol.md sections 5-9 and 12); `recommended` corrects them. Neither names a
 * dataset or models: those come from the config file (or the demo).
 */
import type { ConfigFile, PresetName } from './schema.js';

// Presets are shared values: freeze them all the way down so no caller can change a preset for others.
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const xraiDefaults: NonNullable<NonNullable<NonNullable<ConfigFile['saliency']>['options']>['xrai']> = {
  steps: 100,
  baselines: 'min-max',
  scales: [50, 100, 150, 250, 500, 1200],
  sigma: 0.8,
  minSize: 150,
  resizeTo: 224,
  dilationRadius: 5,
  areaThreshold: 1,
  minPixelDiff: 50,
};

/** The paper's choices: 320 input, IG 10 steps, SG/SIG 25 samples at 0.15, SSIM 7x7 box with data_range 2, 100 random positives, N x 50 baseline pairs on replicate 1, predicted class, P < .005. */
export const arun2021Preset: ConfigFile = deepFreeze({
  preset: 'arun2021',
  seed: 0,
  output: { dir: 'heatcheck-run', writeMaps: true },
  dataset: { skipBad: false, imageSize: 320, boxRule: 'arun2021', maskResize: 'nearest' },
  models: {
    // Epochs and batch size are not reported [UNKNOWN]; the learning rate is the scripts' 7e-5.
    training: { epochs: 10, batchSize: 16, learningRate: 7e-5, augment: false },
    randomization: { initializer: 'keras' },
  },
  saliency: {
    methods: ['gradient', 'smoothgrad', 'integrated-gradients', 'smooth-ig', 'grad-cam', 'guided-backprop', 'guided-grad-cam', 'xrai'],
    options: {
      gradient: {},
      smoothgrad: { samples: 25, noiseFraction: 0.15, magnitude: true },
      'integrated-gradients': { steps: 10, baseline: 'black', rule: 'pair' },
      'smooth-ig': { steps: 10, baseline: 'black', rule: 'pair', samples: 25, noiseFraction: 0.15, magnitude: true },
      'grad-cam': { layer: null, upsample: 'bilinear' },
      'guided-backprop': {},
      'guided-grad-cam': { layer: null, upsample: 'bilinear' },
      xrai: xraiDefaults,
    },
    target: 'predicted',
    commonRandomNumbers: false,
    postprocess: { sign: 'abs', channels: 'sum', clipPercentile: 99, minMax: true, degenerate: 'nan' },
    batchSize: 32,
  },
  images: { count: 100, selection: 'arun2021', seed: 1 },
  criteria: {
    ssim: { dataRange: 2, localizationDataRange: 1, window: 'box', winSize: 7, sigma: 1.5, truncate: 3.5, sampleCovariance: true, k1: 0.01, k2: 0.03 },
    utility: { rule: 'mean-at-least', replicates: 'first', binarize: { method: 'otsu' }, hitTies: 'fraction' },
    randomization: {
      baseline: { scheme: 'arun2021', pairsPerImage: 50, pairs: 5000, replicates: 'first' },
      rule: 'paper',
      replicateSd: 'population',
      testState: null,
    },
    consistency: { rule: 'strong', threshold: 0.5 },
    // The paper's test and correction are unknown; its strict alpha stands in for a correction (spec section 9).
    statistics: { alpha: 0.005, test: 'wilcoxon', correction: 'none', confidence: 0.95, resamples: 10000 },
  },
  engine: { threads: null, lanes: null },
} satisfies ConfigFile);

/** The paper's protocol with its defects corrected: data_range 1, common random numbers, all positive test images, a baseline over all replicates, the labelled class, Holm, both pass rules. */
export const recommendedPreset: ConfigFile = deepFreeze({
  ...arun2021Preset,
  preset: 'recommended',
  dataset: { skipBad: false, imageSize: 320, boxRule: 'exact', maskResize: 'nearest' },
  models: {
    training: { epochs: 10, batchSize: 16, learningRate: 7e-5, augment: true },
    randomization: { initializer: 'keras' },
  },
  saliency: { ...arun2021Preset.saliency, target: 'label', commonRandomNumbers: true },
  images: { count: 'all', selection: 'first', seed: 1 },
  criteria: {
    ssim: { ...arun2021Preset.criteria!.ssim, dataRange: 1 },
    utility: { rule: 'not-significantly-worse', replicates: 'mean', binarize: { method: 'otsu' }, hitTies: 'fraction' },
    randomization: {
      baseline: { scheme: 'uniform', pairsPerImage: 50, pairs: 2000, replicates: 'all' },
      rule: 'both',
      replicateSd: 'sample',
      testState: null,
    },
    consistency: { rule: 'both', threshold: 0.5 },
    statistics: { alpha: 0.005, test: 'wilcoxon', correction: 'holm', confidence: 0.95, resamples: 10000 },
  },
} satisfies ConfigFile);

/** The presets by name. */
export const presets: Readonly<Record<PresetName, ConfigFile>> = Object.freeze({ arun2021: arun2021Preset, recommended: recommendedPreset });
