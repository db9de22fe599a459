/**
 * A tiny phantom audit (32 px, a few images, one-epoch models, few steps) used by the audit tests; run as
 * a script (`node --import tsx audit-tiny-run.ts <outDir>`) it prints the scores as one JSON line.
 */
import { resolveConfig, type ConfigLayer } from '../../src/config/index.js';
import { runAudit } from '../../src/jobs/audit.js';

/** The tiny audit's config layer. */
export const tinyLayer: ConfigLayer = {
  source: 'tiny-test',
  data: {
    preset: 'recommended',
    seed: 3,
    dataset: { format: 'phantom', imageSize: 32, phantom: { count: 80, prevalence: 0.5, lesion: 'pneumonia' } },
    models: {
      replicates: { name: 'small-cnn', architecture: 'small-cnn', models: [{ train: { seed: 1 } }, { train: { seed: 2 } }] },
      others: [{ name: 'other-cnn', architecture: 'small-cnn', models: [{ train: { seed: 3 } }] }],
      localization: [{ name: 'unet', task: 'segmentation', architecture: 'unet', models: [{ train: { seed: 4 } }, { train: { seed: 5 } }] }],
      training: { epochs: 1, batchSize: 16, learningRate: 0.003, augment: false },
    },
    saliency: {
      options: {
        smoothgrad: { samples: 2 },
        'integrated-gradients': { steps: 3 },
        'smooth-ig': { samples: 2, steps: 2 },
        xrai: { steps: 2, resizeTo: null, scales: [50, 100], minSize: 20 },
      },
    },
    images: { count: 'all', selection: 'first' },
    criteria: { statistics: { resamples: 200 }, randomization: { baseline: { pairs: 50 } } },
  },
};

/** Builder options that keep the tiny U-Nets tiny. */
export const tinyBuild = { unet: { width: 4, depth: 2, channels: 1 } };

/** Runs the tiny audit into `outDir`. */
export function runTiny(outDir: string) {
  return runAudit({ resolved: resolveConfig({ file: tinyLayer }), outDir, buildOptions: tinyBuild });
}

/** The parts of results.json that must not depend on interruptions (everything but timings and step caching). */
export function scoresOf(results: Record<string, unknown>): string {
  const { utility, randomization, repeatability, reproducibility, verdicts, inputs } = results as Record<string, unknown>;
  return JSON.stringify({ utility, randomization, repeatability, reproducibility, verdicts, inputs });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const run = await runTiny(process.argv[2]!);
  process.stdout.write(`result ${scoresOf(run.results)}\n`);
}
