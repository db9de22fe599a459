/**
 * The audit's models: the list of classifiers and localization networks a config names, training the
 * ones marked `train` (masks rasterised from boxes for the U-Net, so it also learns RSNA-style data), and
 * loading a classifier at any cascading-randomization state as an engine model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../../core/errors.js';
import { hashBytes, stableHash } from '../../core/hash.js';
import { createRng } from '../../core/rng.js';
import type { ProgressReporter } from '../../core/types.js';
import type { AuditConfig, CriteriaSettings } from '../../config/index.js';
import { loadItems, type Dataset, type Split } from '../../data/index.js';
import { jobLanes, loadOnnxModel, type OnnxModel } from '../../engine/index.js';
import { decodeModel, encodeModel } from '../../graph/onnx-io.js';
import type { Model } from '../../graph/ir.js';
import { resizeImage } from '../../imaging/resize.js';
import {
  architectureInfo,
  arraySource,
  createModelCard,
  detectBlocks,
  exportableModel,
  importModel,
  parseModelCard,
  randomizationStates,
  taskFor,
  trainModel,
  type BuiltModel,
  type ModelCard,
  type RandomizationBlock,
  type TrainingSample,
  untieSharedParameters,
} from '../../models/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomic.js';
import { evaluate } from '../train.js';
import { truthAt } from './data.js';

/** Which role a model plays in the audit. */
export type ModelRole = 'replicates' | 'others' | 'localization';

/** One model of the audit, as planned from the config. */
export interface AuditModel {
  readonly id: string;
  readonly role: ModelRole;
  /** The group's name (architecture label in outputs). */
  readonly group: string;
  readonly architecture: string | undefined;
  /** `train` with a seed, or an ONNX file (+ card), paths resolved. */
  readonly source: { readonly train: { readonly seed: number } } | { readonly onnx: string; readonly card?: string };
}

/** Where a model's files are, once trained or located. */
export interface ModelFiles {
  readonly onnx: string;
  readonly card: string | null;
  readonly sha256: string;
  readonly metrics: Record<string, unknown>;
}

/** Lists every model of a config with stable ids (`<group>-r<k>` unless the config names one). */
export function auditModels(config: AuditConfig, baseDir: string): AuditModel[] {
  const out: AuditModel[] = [];
  type Group = { name: string; architecture?: string | undefined; models: readonly ({ id?: string | undefined } & ({ onnx: string; card?: string | undefined } | { train: { seed: number } }))[] };
  const add = (role: ModelRole, group: Group) => {
    group.models.forEach((m, k) => {
      const source = 'train' in m ? { train: { seed: m.train.seed } } : { onnx: path.resolve(baseDir, m.onnx), ...(m.card ? { card: path.resolve(baseDir, m.card) } : {}) };
      out.push({ id: m.id ?? `${group.name}-r${k + 1}`, role, group: group.name, architecture: group.architecture, source });
    });
  };
  add('replicates', config.models.replicates as Group);
  for (const g of config.models.others) add('others', g as Group);
  for (const g of config.models.localization) add('localization', g as Group);
  return out;
}

/** Training samples of one split at `size`; segmentation models get masks (boxes rasterised). */
export async function loadTrainingSamples(dataset: Dataset, split: Split, size: number, config: AuditConfig, settings: CriteriaSettings): Promise<TrainingSample[]> {
  const out: TrainingSample[] = [];
  for await (const { item, image, groundTruth } of loadItems(dataset, { split, skipBad: config.dataset.skipBad })) {
    const pixels = image.width === size && image.height === size ? Float32Array.from(image.pixels) : resizeImage(Float32Array.from(image.pixels), image.width, image.height, { width: size, height: size });
    const mask = truthAt(groundTruth, size, config, settings);
    out.push({ pixels, width: size, height: size, label: item.label, ...(mask ? { mask: mask.data } : {}) });
  }
  return out;
}

/** Trains one model of the audit into `dir` (model.onnx + model.card.json) and returns its files. */
export async function trainAuditModel(
  model: AuditModel,
  samples: { train: TrainingSample[]; val: TrainingSample[]; test: TrainingSample[] },
  config: AuditConfig,
  dir: string,
  reporter: ProgressReporter | undefined,
  buildOptions: Readonly<Record<string, unknown>> = {},
  trainingOverride: Partial<AuditConfig['models']['training']> = {},
): Promise<ModelFiles> {
  if (!('train' in model.source)) throw new ModelError('audit-not-trainable', `model ${model.id} is an ONNX file, not a model to train`);
  const arch = model.architecture ?? (model.role === 'localization' ? 'unet' : undefined);
  if (!arch) throw new ModelError('audit-no-architecture', `model ${model.id} is to be trained but its group "${model.group}" names no architecture`, {}, { hint: 'add "architecture" to the group' });
  const info = architectureInfo(arch);
  const size = config.dataset.imageSize;
  const seed = model.source.train.seed;
  // Extra builder options (e.g. the demo's narrow grayscale U-Net) are recorded on the card's settings.
  const built: BuiltModel = info.build({ ...buildOptions, inputSize: size, seed });
  const t = { ...config.models.training, ...trainingOverride };
  const result = await trainModel(built, taskFor(built), { train: arraySource(samples.train), val: arraySource(samples.val) }, {
    epochs: t.epochs,
    batchSize: t.batchSize,
    optimizer: { kind: 'adam', learningRate: t.learningRate },
    augment: t.augment ? {} : false,
    seed,
    dataId: stableHash({ train: samples.train.length, val: samples.val.length, size }),
    ...threadsOption(config),
    ...(reporter ? { reporter } : {}),
  });
  const trained: BuiltModel = { ...built, model: result.model };
  const metrics = await evaluate(trained, samples.test, seed, threadsOption(config).threads);
  const bytes = encodeModel(exportableModel(trained));
  const card = createModelCard(trained, { name: model.id, training: { ...result.config, seed, stopped: result.stopped, best: result.best ?? null, seconds: result.seconds, nchwc: result.nchwc }, metrics, modelBytes: bytes });
  await writeFileAtomic(path.join(dir, 'model.onnx'), bytes);
  await writeJsonAtomic(path.join(dir, 'model.card.json'), card);
  return { onnx: 'model.onnx', card: 'model.card.json', sha256: hashBytes(bytes), metrics };
}

/** A model loaded for the audit: graph, card and what randomization and preprocessing need. */
export interface LoadedAuditModel {
  readonly id: string;
  readonly graph: Model;
  readonly card: ModelCard | undefined;
  readonly built: BuiltModel;
  /** Why the model has no randomization blocks (no card and not a recognised export), when it has none. */
  readonly blockProblem?: string;
}

/**
 * Reads a model's ONNX file and card. Without a card listing blocks, the blocks of recognised exports
 * (torchvision, Keras) are detected by tensor names, after untying parameters the exporter shared
 * between nodes so that each block owns its own.
 */
export async function readAuditModel(id: string, onnx: string, card: string | null, size: number): Promise<LoadedAuditModel> {
  let graph = decodeModel(await readFile(onnx), onnx);
  const parsed = card ? parseModelCard(JSON.parse(await readFile(card, 'utf8'))) : undefined;
  let blocks: readonly RandomizationBlock[] = parsed?.randomization.blocks ?? [];
  let blockProblem: string | undefined;
  if (blocks.length === 0) {
    try {
      const untied = untieSharedParameters(graph);
      blocks = detectBlocks(untied, onnx).blocks;
      graph = untied;
    } catch (error) {
      blockProblem = (error as Error).message;
    }
  }
  const built = importModel(graph, {
    inputSize: [size, size],
    blocks,
    ...(parsed?.output.name ? { output: parsed.output.name } : {}),
    ...(parsed?.gradCamLayer ? { camLayer: parsed.gradCamLayer } : {}),
    ...(parsed ? { preprocessing: parsed.input.preprocessing } : {}),
  });
  return { id, graph, card: parsed, built, ...(blockProblem ? { blockProblem } : {}) };
}

/** The cascading-randomization state names of a model (`original`, then blocks top-down). */
export function stateNames(model: LoadedAuditModel): string[] {
  return ['original', ...model.built.blocks.map((b) => b.name)];
}

/** The seed that re-initialises a model's randomized blocks (derived from the config seed and the model id). */
export function randomizationSeed(config: AuditConfig, modelId: string): number {
  return createRng(config.seed).fork(`randomize:${modelId}`).seed;
}

/** The graph of state `index` (0 = original) of a model's cascading randomization. */
export function stateGraph(model: LoadedAuditModel, index: number, config: AuditConfig): Model {
  if (index === 0) return model.graph;
  if (model.built.blocks.length === 0) {
    throw new ModelError('audit-no-blocks', `model ${model.id} has no randomization blocks${model.blockProblem ? `: ${model.blockProblem}` : ''}`, {}, { hint: 'give the model a card (heatcheck models describe) listing its blocks' });
  }
  let k = 0;
  for (const state of randomizationStates(model.graph, model.built.blocks, model.built.parameters, { seed: randomizationSeed(config, model.id), initializer: config.models.randomization.initializer })) {
    if (k++ === index) return state.model;
  }
  throw new ModelError('audit-no-state', `model ${model.id} has no randomization state ${index}`);
}

/** An engine model of a classifier at one randomization state. */
export async function engineModel(model: LoadedAuditModel, index: number, config: AuditConfig): Promise<OnnxModel> {
  const graph = stateGraph(model, index, config);
  return loadOnnxModel(encodeModel(graph), {
    name: `${model.id}@${stateNames(model)[index] ?? index}`,
    output: model.built.outputName,
    inputSize: [config.dataset.imageSize, config.dataset.imageSize],
    ...engineOptions(config),
  });
}

/** The config's onnxruntime threads as an option (null = the engine's default: all cores). */
export function threadsOption(config: AuditConfig): { threads?: number } {
  return config.engine.threads !== null ? { threads: config.engine.threads } : {};
}

/** The config's engine settings as engine options (threads null = all cores; lanes null = `jobLanes`). */
export function engineOptions(config: AuditConfig): { threads?: number; lanes: number } {
  return { ...threadsOption(config), lanes: config.engine.lanes ?? jobLanes };
}
