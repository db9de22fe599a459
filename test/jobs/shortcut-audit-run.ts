/**
 * A small planted-shortcut audit for issue #7's acceptance test: the tiny audit's settings on a 32 px
 * pneumonia phantom whose positives all carry a lead "L" token in a corner (negatives never do), so the
 * classifiers can learn the token instead of the lesion; and the same audit on the same phantom without
 * the token (the honest run: the generator draws the marker from its own random stream, so every other
 * pixel is identical). Returns per method the mean per-image AUPRC against the lesions and the mean
 * fraction of map mass inside each image's marker box, plus the utility verdicts.
 */
import path from 'node:path';
import { resolveConfig, type ConfigLayer } from '../../src/config/index.js';
import type { Verdict } from '../../src/criteria/index.js';
import { generatePhantom } from '../../src/data/phantom/index.js';
import { runAudit } from '../../src/jobs/audit.js';
import { DATA_FILES } from '../../src/jobs/audit/data.js';
import { mapFile } from '../../src/jobs/audit/explain.js';
import { readMapAt } from '../../src/jobs/audit/map-store.js';
import { energyInside } from '../../src/metrics/index.js';
import { tinyBuild, tinyLayer } from './audit-tiny-run.js';

/** Image size: the phantom's smallest, where the token is 6x6 px (3.5 % of the image). */
export const SHORTCUT_SIZE = 32;
/**
 * Methods audited: plain, noise-averaged and path-integrated gradients, whose maps have the pixel
 * resolution a 6 px marker needs. Grad-CAM is left out: at 32 px the small CNN's last block is a 2x2 map
 * (4x4 with output stride 8) whose every cell sees the whole image, so its maps cannot point at a corner
 * (measured with output stride 8: 0.0x the marker box's share of the image at 32 px, 1.4x at 64 px).
 */
export const SHORTCUT_METHODS = ['gradient', 'smoothgrad', 'integrated-gradients'] as const;

// 60 % positives: about 14 positive test images, enough for the paired test to reach p < 0.005 after Holm.
const phantom = { count: 240, prevalence: 0.6, lesion: 'pneumonia' } as const;
const token = { kind: 'token', positiveRate: 1, negativeRate: 0 } as const;

/** The tiny audit's builds, with a U-Net wide enough to localize the 32 px lesions (test Dice about 0.65). */
const build = { ...tinyBuild, unet: { width: 8, depth: 2, channels: 1 } };

/** The audit's config layer: with the planted token, or the honest phantom. */
export function shortcutLayer(planted: boolean): ConfigLayer {
  const base = tinyLayer.data as { models: Record<string, unknown> } & Record<string, unknown>;
  return {
    source: planted ? 'shortcut-test' : 'honest-test',
    data: {
      ...base,
      dataset: { format: 'phantom', imageSize: SHORTCUT_SIZE, phantom: planted ? { ...phantom, shortcut: token } : phantom },
      models: {
        ...base.models,
        // One U-Net: the utility rule needs one localization network; the second only serves consistency.
        localization: [{ name: 'unet', task: 'segmentation', architecture: 'unet', models: [{ train: { seed: 4 } }] }],
        training: { epochs: 2, batchSize: 16, learningRate: 0.003, augment: false },
      },
      saliency: { ...(base.saliency as object), methods: [...SHORTCUT_METHODS] },
    },
  };
}

/** What one run gives the test, per method. */
export interface ShortcutOutcome {
  readonly images: number;
  /** Mean per-image AUPRC of the trained replicates' maps (the audit's utility score) against the lesions. */
  readonly auprc: Readonly<Record<string, number>>;
  /** Mean over images and replicates of the fraction of map mass inside the marker's bounding box. */
  readonly markerMass: Readonly<Record<string, number>>;
  /** The marker boxes' mean share of the image: the mass a map indifferent to the marker puts there. */
  readonly boxShare: number;
  /** The average-mask prior's mean AUPRC on the same images. */
  readonly priorAuprc: number;
  /** The localization network's mean AUPRC. */
  readonly networkAuprc: number;
  readonly utility: readonly Verdict[];
  /** Test-split ROC-AUC of each replicate. */
  readonly rocAuc: readonly number[];
}

/** The marker's bounding box as a mask (the region the marker occupies, strokes and the gap between them). */
function boxOf(marker: Uint8Array, size: number): Uint8Array {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  marker.forEach((m, i) => {
    if (!m) return;
    const x = i % size;
    const y = Math.floor(i / size);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  });
  const box = new Uint8Array(size * size);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) box[y * size + x] = 1;
  return box;
}

/**
 * Runs the audit into `outDir` and measures it. The marker boxes always come from the planted phantom, so
 * the honest run's maps are measured on the region where the marker would be.
 */
export async function runShortcutAudit(outDir: string, planted: boolean): Promise<ShortcutOutcome> {
  const resolved = resolveConfig({ file: shortcutLayer(planted) });
  const run = await runAudit({ resolved, outDir, buildOptions: build, trainingOverrides: { unet: { epochs: 3, batchSize: 8 } } });
  const config = resolved.config;
  const n = SHORTCUT_SIZE;
  // `images.selection: first` with count `all`: the positive test images in dataset order.
  const samples = [...generatePhantom({ size: n, seed: config.seed, ...phantom, shortcut: token })].filter((s) => s.split === 'test' && s.label === 1);
  const results = run.results as {
    inputs: { steps: Record<string, string>; models: Record<string, { metrics: { rocAuc?: number } }> };
    images: { count: number };
    utility: { methods: { method: string; trained: { auprc: { mean: number } } }[]; prior: { summary: { auprc: { mean: number } } }; network: { summary: { auprc: { mean: number } } } };
  };
  if (results.images.count !== samples.length) throw new Error(`the audit explained ${results.images.count} images, the phantom has ${samples.length} positive test images`);
  const stepDir = (id: string) => path.join(outDir, 'steps', id.split('/')[0]!, results.inputs.steps[id]!);
  // The audited images must be the regenerated ones (else the boxes would point elsewhere); the honest run's differ only on the marker.
  samples.forEach((s, i) => {
    const audited = readMapAt(path.join(stepDir('data'), DATA_FILES.images), n, n, i).data;
    const differs = audited.findIndex((v, j) => Math.abs(v - s.image.pixels[j]!) > 1e-6 && (planted || !s.shortcutMask.data[j]));
    if (differs >= 0) throw new Error(`audited image ${i} differs from the regenerated phantom at pixel ${differs}`);
  });
  const boxes = samples.map((s) => boxOf(s.shortcutMask.data, n));
  const replicates = config.models.replicates.models.map((_, k) => `${config.models.replicates.name}-r${k + 1}`);
  const markerMass: Record<string, number> = {};
  for (const method of SHORTCUT_METHODS) {
    let sum = 0;
    let count = 0;
    for (const model of replicates) {
      const file = path.join(stepDir(`explain/${model}/original`), mapFile(method));
      boxes.forEach((box, i) => {
        const map = readMapAt(file, n, n, i).data;
        // A degenerate (constant) map is stored as NaN and excluded, as the audit's scores exclude it.
        if (map.some(Number.isNaN)) return;
        const mass = energyInside(map, box, { onZeroMap: 'nan' });
        if (Number.isNaN(mass)) return;
        sum += mass;
        count++;
      });
    }
    markerMass[method] = sum / count;
  }
  return {
    images: samples.length,
    auprc: Object.fromEntries(results.utility.methods.map((m) => [m.method, m.trained.auprc.mean])),
    markerMass,
    boxShare: boxes.reduce((a, b) => a + b.reduce((s, v) => s + v, 0) / b.length, 0) / boxes.length,
    priorAuprc: results.utility.prior.summary.auprc.mean,
    networkAuprc: results.utility.network.summary.auprc.mean,
    utility: run.verdicts.verdicts.filter((v) => v.criterion === 'utility'),
    rocAuc: replicates.map((id) => results.inputs.models[id]!.metrics.rocAuc!),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const planted = process.argv[3] !== 'honest';
  const t0 = performance.now();
  const outcome = await runShortcutAudit(process.argv[2]!, planted);
  process.stdout.write(`${JSON.stringify({ planted, seconds: Math.round((performance.now() - t0) / 100) / 10, ...outcome, utility: outcome.utility.map((v) => [v.method, v.pass, v.reason]) })}\n`);
}
