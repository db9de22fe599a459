// A small fixed audit built from synthetic per-image scores through the real criteria functions, so the
// report is exercised on the exact objects `results.json` holds (and the type assignment is checked).
import { createRng } from '../../src/core/rng.js';
import type { Map2D } from '../../src/core/types.js';
import {
  buildVerdictTable,
  criteriaStatisticsDefaults,
  evaluateConsistency,
  evaluateRandomization,
  evaluateUtility,
  localizationRows,
  ssimRows,
  type LocalizationScores,
  type PerImageRow,
  type StatisticsOptions,
} from '../../src/criteria/index.js';
import type { ReportInput } from '../../src/report/index.js';

const stats: StatisticsOptions = { ...criteriaStatisticsDefaults, resamples: 200 };
export const fixtureMethods = ['gradient', 'grad-cam', 'xrai'] as const;
const n = 12;
export const fixtureImageIds = Array.from({ length: n }, (_, i) => `img-${String(i).padStart(3, '0')}`);

function scores(rng: ReturnType<typeof createRng>, centre: number): LocalizationScores[] {
  return Array.from({ length: n }, () => {
    const auprc = Math.min(1, Math.max(0, centre + 0.1 * rng.normal()));
    return { auprc, averagePrecision: auprc, iou: auprc / 2, dice: auprc, hitRate: 1, threshold: 0.5, degenerate: false };
  });
}

function ssims(rng: ReturnType<typeof createRng>, centre: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.min(1, Math.max(-0.2, centre + 0.08 * rng.normal())));
}

/** A smooth synthetic X-ray and a blob map, for example thumbnails. */
export function syntheticImage(size: number): { pixels: Float32Array; width: number; height: number } {
  const pixels = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = 0.2 + 0.6 * Math.abs(Math.sin((x + 2 * y) / 17));
  return { pixels, width: size, height: size };
}

export function syntheticMap(size: number, cx: number, cy: number): Map2D {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (size / 6) ** 2));
  return { data, width: size, height: size };
}

/** The fixed report input; `id` lets a test inject a string into every dataset-derived place. */
export function fixtureInput(options: { imageId?: string; datasetName?: string; withExamples?: boolean } = {}): ReportInput {
  const rng = createRng(7);
  const imageIds = options.imageId ? [options.imageId, ...fixtureImageIds.slice(1)] : fixtureImageIds;
  const network = { method: 'unet', model: 'unet-r1', scores: scores(rng, 0.45) };
  const prior = { method: 'average-mask', model: 'train+val', scores: scores(rng, 0.15) };
  const trained = fixtureMethods.map((method, k) => ({ method, model: 'inceptionv3-r1', scores: scores(rng, 0.1 + 0.08 * k) }));
  const randomized = fixtureMethods.map((method) => ({ method, model: 'inceptionv3-r1 randomized', scores: scores(rng, 0.06) }));
  const utility = evaluateUtility({ imageIds, trained, randomized, network, prior }, { rule: 'mean-at-least', statistics: stats });

  const states = ['logits', 'mixed10', 'mixed5', 'mixed1'];
  const randomization = evaluateRandomization(
    fixtureMethods.map((method, k) => ({
      method,
      imageIds,
      states,
      replicates: ['r1', 'r2'].map((model) => ({ model, ssim: states.map((_, s) => ssims(rng, 0.9 - 0.2 * s + 0.05 * k)) })),
      baseline: { value: 0.3 + 0.05 * k, sd: 0.1, pairs: 50, excluded: 0, scheme: 'arun2021' as const, replicatesUsed: 1, seed: 1, pairsPerImage: 50 },
    })),
    { rule: 'paper', replicateSd: 'population', statistics: stats },
  );

  const perImage: PerImageRow[] = [];
  for (const s of [network, prior, ...trained]) perImage.push(...localizationRows(imageIds, { method: s.method, model: s.model, state: 'trained' }, s.scores));
  for (const s of randomized) perImage.push(...localizationRows(imageIds, { method: s.method, model: s.model, state: 'fully-randomized' }, s.scores));

  const pairInputs = (criterion: 'repeatability' | 'reproducibility', centre: number) =>
    fixtureMethods.map((method, k) => {
      const pairs = criterion === 'repeatability' ? [{ a: 'r1', b: 'r2', ssim: ssims(rng, centre + 0.1 * k) }] : [{ a: 'r1', b: 'densenet', ssim: ssims(rng, centre + 0.1 * k) }];
      for (const p of pairs) perImage.push(...ssimRows(imageIds, { criterion, method, model: `${p.a}~${p.b}`, state: 'trained' }, p.ssim));
      return { method, pairs };
    });
  const reference = { method: 'unet', pairs: [{ a: 'unet-r1', b: 'unet-r2', ssim: ssims(rng, 0.95) }] };
  perImage.push(...ssimRows(imageIds, { criterion: 'repeatability', method: 'unet', model: 'unet-r1~unet-r2', state: 'trained' }, reference.pairs[0]!.ssim));
  const consistencyOptions = { rule: 'strong' as const, threshold: 0.5, statistics: stats };
  const repeatability = evaluateConsistency('repeatability', imageIds, pairInputs('repeatability', 0.45), reference, consistencyOptions);
  const reproducibility = evaluateConsistency('reproducibility', imageIds, pairInputs('reproducibility', 0.35), reference, consistencyOptions);
  const verdicts = buildVerdictTable({ utility, randomization, repeatability, reproducibility });

  const image = syntheticImage(64);
  const examples = options.withExamples
    ? {
        utility: [
          {
            id: imageIds[0]!,
            image,
            truth: { kind: 'boxes' as const, boxes: [{ x: 10, y: 12, width: 20, height: 16 }], width: 64, height: 64 },
            maps: fixtureMethods.map((method, k) => ({ method, map: syntheticMap(32, 8 + 6 * k, 10), auprc: 0.1 * (k + 1) })),
          },
        ],
        degradation: [{ id: imageIds[1]!, image, method: 'grad-cam', states: ['original', ...states].map((state, s) => ({ state, map: syntheticMap(32, 10 + 3 * s, 12) })) }],
        consistency: [
          { id: imageIds[2]!, image, rows: ['r1', 'r2', 'densenet'].map((model, r) => ({ model, maps: fixtureMethods.map((method) => ({ method, map: syntheticMap(32, 12 + r, 14) })) })) },
        ],
      }
    : undefined;

  return {
    title: options.datasetName ?? 'synthetic',
    verdicts,
    utility,
    randomization,
    repeatability,
    reproducibility,
    perImage,
    ...(examples ? { examples } : {}),
    provenance: {
      tool: { name: 'heatcheck', version: '0.0.0-test' },
      preset: 'arun2021',
      configFile: '/data/audits/synthetic.json',
      config: { criteria: { ssim: { dataRange: 2, window: 7 }, utility: { rule: 'mean-at-least' } }, dataset: { name: options.datasetName ?? 'synthetic' } },
      sources: { 'criteria.ssim.dataRange': 'preset arun2021' },
      seeds: { bootstrap: 0, selection: 1 },
      versions: { node: 'v20', onnxruntime: '1.30' },
      models: [{ id: 'inceptionv3-r1', architecture: 'inceptionv3', inputSize: 320 }],
      dataset: { name: options.datasetName ?? 'synthetic', images: n, task: 'detection' },
      inputs: { dataset: 'abc123' },
      warnings: ['a synthetic warning'],
    },
  };
}
