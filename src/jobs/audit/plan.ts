/**
 * The audit plan: from a resolved config to content-hashed steps (data, models, randomize, explain,
 * localize, score) for `runPlan`. Every step writes only into its own folder; later steps find earlier
 * steps' folders through `dirs`, filled as the runner reports finished steps.
 */
import path from 'node:path';
import { hashBytes } from '../../core/hash.js';
import type { ProgressReporter } from '../../core/types.js';
import type { AuditConfig, CriteriaSettings } from '../../config/index.js';
import type { Dataset } from '../../data/index.js';
import type { TrainingSample } from '../../models/index.js';
import type { Step } from '../runner.js';
import { DATA_FILES, prepareImages, type PreparedImages } from './data.js';
import { explainState, localizeImages, mapFile } from './explain.js';
import { auditModels, loadTrainingSamples, randomizationSeed, readAuditModel, stateNames, trainAuditModel, type AuditModel, type ModelFiles } from './models.js';
import { scoreConsistency, scoreRandomization, scoreUtility, type AuditRoster, type MapLocator } from './score.js';
import { readFile } from 'node:fs/promises';

/** What the plan needs besides the config. */
export interface PlanContext {
  readonly config: AuditConfig;
  readonly settings: CriteriaSettings;
  readonly dataset: Dataset;
  /** Resolves the config's relative paths. */
  readonly baseDir: string;
  /** Finished steps' folders by step id (filled from the runner's `onStep`). */
  readonly dirs: Map<string, string>;
  readonly reporter?: ProgressReporter;
  /** Extra builder options by architecture for models trained here (not part of the config; recorded in results). */
  readonly buildOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Training settings by architecture over `models.training` (the demo's U-Net trains longer); recorded in results. */
  readonly trainingOverrides?: Readonly<Record<string, Partial<AuditConfig['models']['training']>>>;
}

/** The randomize step's value: the states of one replicate's cascading randomization. */
export interface RandomizeRecord {
  readonly model: string;
  readonly states: string[];
  readonly seed: number;
  readonly initializer: string;
}

/** Step ids, in one place. */
export const stepIds = Object.freeze({
  data: 'data',
  model: (id: string) => `model/${id}`,
  randomize: (id: string) => `randomize/${id}`,
  explain: (id: string, state: string) => `explain/${id}/${state}`,
  localize: (id: string) => `localize/${id}`,
  score: (criterion: string) => `score/${criterion}`,
});

/** The planned audit: its steps and the models by role. */
export interface AuditPlan {
  readonly steps: Step[];
  readonly models: AuditModel[];
  readonly roster: AuditRoster;
}

/** Builds the audit's steps. State names of the replicates are read from their model cards, so model steps must be known (trained or located) first: `statesOf` supplies them. */
export async function buildAuditPlan(ctx: PlanContext, statesOf: (model: AuditModel) => Promise<string[]>): Promise<AuditPlan> {
  const { config, settings, dataset } = ctx;
  const models = auditModels(config, ctx.baseDir);
  const byRole = (role: AuditModel['role']) => models.filter((m) => m.role === role);
  const roster: AuditRoster = {
    replicates: byRole('replicates').map((m) => m.id),
    others: byRole('others').map((m) => m.id),
    localization: byRole('localization').map((m) => m.id),
    localizationName: config.models.localization[0]!.name,
  };
  const dirOf = (id: string): string => {
    const d = ctx.dirs.get(id);
    if (!d) throw new Error(`internal: step ${id} has no folder yet`);
    return d;
  };
  const itemsKey = hashBytes(new TextEncoder().encode(JSON.stringify([...dataset.items()].map((i) => [i.id, i.split, i.label, i.source]))));
  const dataKey = { dataset: config.dataset, seed: config.seed, images: config.images, groundTruth: settings.groundTruth, items: itemsKey };
  const steps: Step[] = [];
  steps.push({
    id: stepIds.data,
    stage: 'data',
    key: dataKey,
    run: (s) => prepareImages(dataset, config, settings, s.dir, s.progress),
  });

  let samples: Promise<{ train: TrainingSample[]; val: TrainingSample[]; test: TrainingSample[] }> | undefined;
  const trainingSamples = () => {
    const size = config.dataset.imageSize;
    samples ??= Promise.all((['train', 'val', 'test'] as const).map((split) => loadTrainingSamples(dataset, split, size, config, settings))).then(([train, val, test]) => ({ train: train!, val: val!, test: test! }));
    return samples;
  };

  for (const model of models) {
    const source = model.source;
    const trainingOverride = ctx.trainingOverrides?.[model.architecture ?? ''] ?? {};
    steps.push({
      id: stepIds.model(model.id),
      stage: 'models',
      key:
        'train' in source
          ? { train: source.train, architecture: model.architecture ?? null, role: model.role, training: { ...config.models.training, ...trainingOverride }, data: dataKey, build: ctx.buildOptions?.[model.architecture ?? ''] ?? null }
          : { onnx: hashBytes(await readFile(source.onnx)), card: source.card ? hashBytes(await readFile(source.card)) : null },
      async run(s): Promise<ModelFiles> {
        if ('train' in source) return trainAuditModel(model, await trainingSamples(), config, s.dir, ctx.reporter, ctx.buildOptions?.[model.architecture ?? ''] ?? {}, trainingOverride);
        return { onnx: source.onnx, card: source.card ?? null, sha256: hashBytes(await readFile(source.onnx)), metrics: {} };
      },
    });
  }
  const files = (id: string, value: unknown): { onnx: string; card: string | null } => {
    const f = value as ModelFiles;
    const dir = dirOf(stepIds.model(id));
    return { onnx: path.resolve(dir, f.onnx), card: f.card === null ? null : path.resolve(dir, f.card) };
  };
  const load = (model: AuditModel, value: unknown) => {
    const f = files(model.id, value);
    return readAuditModel(model.id, f.onnx, f.card, config.dataset.imageSize);
  };
  const explainDeps: string[] = [];
  const saliencyKey = { saliency: config.saliency, seed: config.seed, size: config.dataset.imageSize, randomization: config.models.randomization };
  for (const model of models) {
    const modelStep = stepIds.model(model.id);
    if (model.role === 'localization') {
      const id = stepIds.localize(model.id);
      explainDeps.push(id);
      steps.push({
        id,
        stage: 'localize',
        key: { size: config.dataset.imageSize },
        deps: [stepIds.data, modelStep],
        async run(s) {
          const loaded = await load(model, s.deps[modelStep]);
          return localizeImages(loaded, config, dirOf(stepIds.data), (s.deps[stepIds.data] as PreparedImages).keys.length, s.dir, s.progress);
        },
      });
      continue;
    }
    const states = model.role === 'replicates' ? await statesOf(model) : ['original'];
    if (model.role === 'replicates') {
      steps.push({
        id: stepIds.randomize(model.id),
        stage: 'randomize',
        key: { seed: randomizationSeed(config, model.id), randomization: config.models.randomization },
        deps: [modelStep],
        async run(s): Promise<RandomizeRecord> {
          const loaded = await load(model, s.deps[modelStep]);
          return { model: model.id, states: stateNames(loaded), seed: randomizationSeed(config, model.id), initializer: config.models.randomization.initializer };
        },
      });
    }
    states.forEach((state, index) => {
      const id = stepIds.explain(model.id, state);
      explainDeps.push(id);
      steps.push({
        id,
        stage: 'explain',
        key: { ...saliencyKey, state, index },
        deps: [stepIds.data, modelStep, ...(model.role === 'replicates' ? [stepIds.randomize(model.id)] : [])],
        async run(s) {
          const loaded = await load(model, s.deps[modelStep]);
          const data = s.deps[stepIds.data] as PreparedImages;
          return explainState(loaded, index, state, config, dirOf(stepIds.data), data.keys.length, s.dir, s.progress);
        },
      });
    });
  }

  const stateLists = new Map<string, readonly string[]>();
  for (const m of models) if (m.role === 'replicates') stateLists.set(m.id, await statesOf(m));
  const locator = (deps: Readonly<Record<string, unknown>>): MapLocator => {
    const data = deps[stepIds.data] as PreparedImages;
    return {
      size: data.size,
      keys: data.keys,
      truth: path.join(dirOf(stepIds.data), DATA_FILES.truth),
      prior: path.join(dirOf(stepIds.data), DATA_FILES.prior),
      classifier: (model, state, method) => path.join(dirOf(stepIds.explain(model, state)), mapFile(method)),
      localization: (model) => path.join(dirOf(stepIds.localize(model)), 'map.f32'),
      states: (model) => stateLists.get(model) ?? ['original'],
    };
  };
  const scoreDeps = [stepIds.data, ...explainDeps];
  const criteria = config.criteria;
  const scoreKey = { criteria, boxRule: config.dataset.boxRule, seed: config.seed, methods: config.saliency.methods };
  steps.push(
    { id: stepIds.score('utility'), stage: 'score', key: scoreKey, deps: scoreDeps, run: async (s) => scoreUtility(config, settings, locator(s.deps), roster) },
    { id: stepIds.score('randomization'), stage: 'score', key: scoreKey, deps: scoreDeps, run: async (s) => scoreRandomization(config, settings, locator(s.deps), roster) },
    { id: stepIds.score('repeatability'), stage: 'score', key: scoreKey, deps: scoreDeps, run: async (s) => scoreConsistency('repeatability', config, settings, locator(s.deps), roster) },
    { id: stepIds.score('reproducibility'), stage: 'score', key: scoreKey, deps: scoreDeps, run: async (s) => scoreConsistency('reproducibility', config, settings, locator(s.deps), roster) },
  );
  return { steps, models, roster };
}
