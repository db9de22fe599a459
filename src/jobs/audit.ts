/**
 * `runAudit`: the whole audit of a resolved config as a resumable plan (data, models, randomize, explain,
 * localize, score), then the run folder's `results.json`, `per-image.csv` and `maps/`. Also the phantom
 * demo's config (`demoConfigLayer`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProgressReporter } from '../core/types.js';
import { criteriaSettings, type AuditConfig, type ConfigLayer, type ResolvedConfig } from '../config/index.js';
import { formatVerdictTable, type PerImageRow, type Verdict, type VerdictTable } from '../criteria/index.js';
import { architectureInfo } from '../models/index.js';
import { writeJsonAtomic } from './atomic.js';
import type { PreparedImages } from './audit/data.js';
import { openAuditDataset } from './audit/data.js';
import type { ExplainRecord } from './audit/explain.js';
import { readAuditModel, randomizationSeed, stateNames, type AuditModel, type ModelFiles } from './audit/models.js';
import { mergeVerdicts, writeMapImages, writePerImageCsv, type MapExport } from './audit/outputs.js';
import { buildAuditPlan, stepIds } from './audit/plan.js';
import type { ScoreOutput } from './audit/score.js';
import { cleanInterrupted, runPlan } from './runner.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Bumped when the audit's step outputs change meaning, so old cached steps are not reused. */
export const auditCodeVersion = `audit-1/${packageVersion}`;

/** Options of `runAudit`. */
export interface AuditOptions {
  readonly resolved: ResolvedConfig;
  /** Run folder (default: the config's `output.dir`). */
  readonly outDir?: string;
  /** Folder the config's relative paths are relative to (the config file's folder; default the working directory). */
  readonly baseDir?: string;
  /** The config file the run came from (an absolute path), recorded in results.json and shown in the report. */
  readonly configFile?: string;
  readonly onProgress?: ProgressReporter;
  /** Extra facts for `results.json` (e.g. that this is the demo). */
  readonly label?: string;
  /** Extra builder options by architecture for models trained here (the demo's small U-Net); recorded in results. */
  readonly buildOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Training settings by architecture over the config's `models.training` (the demo's U-Net); recorded in results. */
  readonly trainingOverrides?: Readonly<Record<string, Partial<AuditConfig['models']['training']>>>;
}

/** What `runAudit` produced. */
export interface AuditRun {
  readonly outDir: string;
  readonly results: Record<string, unknown>;
  readonly verdicts: VerdictTable;
  readonly verdictText: string;
  readonly files: { readonly results: string; readonly perImage: string; readonly maps: string | null };
}

/** Runs (or resumes) an audit and writes its outputs. */
export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const started = performance.now();
  const { config, preset, sources } = options.resolved;
  const settings = criteriaSettings(config);
  const baseDir = options.baseDir ?? process.cwd();
  const outDir = path.resolve(options.outDir ?? config.output.dir);
  const warnings: string[] = [];
  await cleanInterrupted(outDir);
  const dataset = await openAuditDataset(config, baseDir);
  if (dataset.problems.length) warnings.push(`${dataset.problems.length} dataset rows or files were skipped (dataset.skipBad); see heatcheck data check`);
  const dirs = new Map<string, string>();
  const statesOf = async (model: AuditModel): Promise<string[]> => {
    if ('train' in model.source) {
      const built = architectureInfo(model.architecture ?? 'small-cnn').build({ inputSize: config.dataset.imageSize, seed: model.source.train.seed });
      return ['original', ...built.blocks.map((b) => b.name)];
    }
    return stateNames(await readAuditModel(model.id, model.source.onnx, model.source.card ?? null, config.dataset.imageSize));
  };
  const plan = await buildAuditPlan({ config, settings, dataset, baseDir, dirs, ...(options.buildOptions ? { buildOptions: options.buildOptions } : {}), ...(options.trainingOverrides ? { trainingOverrides: options.trainingOverrides } : {}), ...(options.onProgress ? { reporter: options.onProgress } : {}) }, statesOf);
  const timings: { id: string; cached: boolean; seconds: number; hash: string }[] = [];
  const stageOf = new Map(plan.steps.map((s) => [s.id, s.stage]));
  const records = await runPlan(plan.steps, {
    runDir: outDir,
    codeVersion: auditCodeVersion,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onStep: (e) => {
      dirs.set(e.id, path.join(outDir, 'steps', stageOf.get(e.id)!, e.hash));
      timings.push({ id: e.id, cached: e.cached, seconds: Math.round(e.milliseconds) / 1000, hash: e.hash });
    },
  });
  const value = <T>(id: string): T => records.get(id)!.value as T;
  const data = value<PreparedImages>(stepIds.data);
  if (data.short) warnings.push(`images.count asked for more images than the ${data.available} positive test images; all were used`);
  if (plan.roster.localization.length < 2) warnings.push('one localization network: the strong consistency rule (not below the network\'s replicate SSIM) cannot be evaluated');

  const scores = ['utility', 'randomization', 'repeatability', 'reproducibility'] as const;
  const outputs = Object.fromEntries(scores.map((c) => [c, value<ScoreOutput<unknown>>(stepIds.score(c))])) as Record<(typeof scores)[number], ScoreOutput<unknown>>;
  const verdicts = mergeVerdicts(scores.flatMap((c) => outputs[c].verdicts as Verdict[]));
  const rows = scores.flatMap((c) => outputs[c].rows as PerImageRow[]);

  const perImage = path.join(outDir, 'per-image.csv');
  await writePerImageCsv(perImage, rows);
  let mapsDir: string | null = null;
  if (config.output.writeMaps) {
    const exports: MapExport[] = [];
    for (const m of plan.models) {
      if (m.role === 'localization') {
        exports.push({ model: m.id, state: 'trained', method: plan.roster.localizationName, file: path.join(records.get(stepIds.localize(m.id))!.dir, 'map.f32'), step: records.get(stepIds.localize(m.id))!.hash });
        continue;
      }
      const rec = records.get(stepIds.explain(m.id, 'original'))!;
      const explained = rec.value as ExplainRecord;
      for (const method of config.saliency.methods) {
        exports.push({ model: m.id, state: 'original', method, file: path.join(rec.dir, explained.methods[method]!.file), record: explained.methods[method]!, step: rec.hash });
      }
    }
    await writeMapImages(outDir, exports, data.keys, data.size);
    mapsDir = path.join(outDir, 'maps');
  }

  const models = Object.fromEntries(
    plan.models.map((m) => {
      const f = value<ModelFiles>(stepIds.model(m.id));
      return [m.id, { role: m.role, group: m.group, architecture: m.architecture ?? null, source: 'train' in m.source ? 'trained here' : 'onnx file', sha256: f.sha256, metrics: f.metrics, step: records.get(stepIds.model(m.id))!.hash }];
    }),
  );
  const results = {
    tool: { name: 'heatcheck', version: packageVersion, code: auditCodeVersion, node: process.version },
    ...(options.label ? { run: options.label } : {}),
    // Where the config came from and what its relative paths resolve against (the report and the DICOM export read these).
    configFile: options.configFile ?? null,
    baseDir: path.resolve(baseDir),
    buildOptions: options.buildOptions ?? {},
    trainingOverrides: options.trainingOverrides ?? {},
    preset,
    config,
    sources,
    seeds: {
      config: config.seed,
      imageSelection: config.images.seed,
      statistics: settings.statistics.seed,
      baselinePairs: settings.baseline.seed,
      saliencyNoise: config.seed,
      randomization: Object.fromEntries(plan.roster.replicates.map((id) => [id, randomizationSeed(config, id)])),
      training: Object.fromEntries(plan.models.filter((m) => 'train' in m.source).map((m) => [m.id, (m.source as { train: { seed: number } }).train.seed])),
    },
    inputs: {
      dataset: { format: dataset.format, items: data.hashes.items, images: data.hashes.images, groundTruth: data.hashes.truth, counts: data.counts, priorImages: data.priorImages, problems: data.problems },
      models,
      steps: Object.fromEntries([...records.values()].map((r) => [r.id, r.hash])),
    },
    images: { count: data.keys.length, keys: data.keys, available: data.available, selection: config.images },
    states: Object.fromEntries(plan.roster.replicates.map((id) => [id, value<{ states: string[] }>(stepIds.randomize(id)).states])),
    utility: outputs.utility.result,
    randomization: outputs.randomization.result,
    repeatability: outputs.repeatability.result,
    reproducibility: outputs.reproducibility.result,
    verdicts,
    warnings,
    timings: { totalSeconds: Math.round(performance.now() - started) / 1000, steps: timings },
  };
  const resultsFile = path.join(outDir, 'results.json');
  await writeJsonAtomic(resultsFile, results);
  return { outDir, results, verdicts, verdictText: formatVerdictTable(verdicts), files: { results: resultsFile, perImage, maps: mapsDir } };
}

/**
 * Builder options of the demo's models trained here: a narrow grayscale U-Net keeps its training within the
 * demo's time; the small CNN keeps an 8x8 last block at 64 px so Grad-CAM is not a 4x4 blur (the small
 * ResNet has output stride 8 by construction, so it needs no option).
 */
export const demoBuildOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  unet: Object.freeze({ width: 8, depth: 3, channels: 1 }),
  'small-cnn': Object.freeze({ outputStride: 8 }),
});

/**
 * Training of the demo's U-Nets over `models.training`: batches of 8 reach a higher Dice for the same compute
 * (measured at 64 px: 0.80 after 3 epochs vs 0.78 after 4 epochs of 16; learning rates 5e-3 and 1e-2 did worse).
 */
export function demoTrainingOverrides(size: DemoSize = 'full'): Readonly<Record<string, Partial<AuditConfig['models']['training']>>> {
  return { unet: { batchSize: 8, epochs: size === 'fast' ? 3 : 4 } };
}

/** Sizes of the phantom demo: `full` (about 5 minutes on 2 cores) or `fast` (under 2). */
export type DemoSize = 'full' | 'fast';

/**
 * The demo's config layer over the `recommended` preset: a pneumonia-like phantom (lesions with boxes),
 * two small-CNN replicates, a small ResNet as the second architecture (reproducibility compares different
 * topologies, as the paper's InceptionV3 vs DenseNet121), two U-Nets, all eight methods with small sample
 * and step counts.
 */
export function demoConfigLayer(size: DemoSize = 'full'): ConfigLayer {
  const fast = size === 'fast';
  return {
    source: fast ? 'demo (--fast)' : 'demo',
    data: {
      preset: 'recommended',
      seed: 7,
      output: { dir: 'heatcheck-demo' },
      dataset: { format: 'phantom', imageSize: 64, phantom: { count: fast ? 300 : 500, prevalence: 0.5, lesion: 'pneumonia' } },
      models: {
        replicates: { name: 'small-cnn', architecture: 'small-cnn', models: [{ train: { seed: 1 } }, { train: { seed: 2 } }] },
        others: [{ name: 'small-resnet', architecture: 'small-resnet', models: [{ train: { seed: 3 } }] }],
        localization: [{ name: 'unet', task: 'segmentation', architecture: 'unet', models: [{ train: { seed: 11 } }, { train: { seed: 12 } }] }],
        training: { epochs: fast ? 3 : 4, batchSize: 16, learningRate: 0.002, augment: false },
      },
      saliency: {
        options: {
          smoothgrad: { samples: fast ? 4 : 8 },
          'integrated-gradients': { steps: fast ? 6 : 10 },
          'smooth-ig': { samples: fast ? 3 : 4, steps: fast ? 4 : 5 },
          xrai: { steps: fast ? 6 : 10, resizeTo: null, scales: [50, 100, 200] },
        },
        batchSize: 64,
      },
      images: { count: 'all', selection: 'first' },
      criteria: { statistics: { resamples: 2000 }, randomization: { baseline: { pairs: 500 } } },
    },
  };
}
