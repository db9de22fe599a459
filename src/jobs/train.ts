/**
 * The training job: wires a dataset (data/) to the models layer's trainer, writes checkpoints atomically
 * after every epoch, resumes from the last one, evaluates on the test split (ROC-AUC with a bootstrap
 * interval, Dice, or mAP@0.5) and saves the model as one .onnx file plus its model card.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stableHash } from '../core/hash.js';
import { createRng } from '../core/rng.js';
import type { Box, ProgressReporter } from '../core/types.js';
import { loadItems, type Dataset, type Split } from '../data/index.js';
import { decodeModel, encodeModel } from '../graph/onnx-io.js';
import { resizeImage, resizeMask } from '../imaging/resize.js';
import { bootstrapCi, rocAuc } from '../metrics/index.js';
import {
  architectureInfo,
  arraySource,
  createModelCard,
  decodeCheckpoint,
  detect,
  detectionTask,
  encodeCheckpoint,
  exportableModel,
  loadPretrained,
  meanAveragePrecision,
  predictPositive,
  segmentationDice,
  taskFor,
  trainModel,
  TrainingRunner,
  type BuiltModel,
  type ModelCard,
  type TrainingCheckpoint,
  type TrainingSample,
  type TrainResult,
} from '../models/index.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

/** Options of `runTrainJob`. */
export interface TrainJobOptions {
  readonly architecture: string;
  readonly dataset: Dataset;
  /** Where model.onnx, model.card.json and checkpoint.bin go. */
  readonly outDir: string;
  readonly inputSize?: number;
  /** Replicate number: replicates differ only in their seeds (derived from `seed` and this). Default 1. */
  readonly replicate?: number;
  readonly seed?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly optimizer?: 'adam' | 'sgd';
  readonly learningRate?: number;
  readonly balance?: boolean;
  readonly augment?: boolean;
  readonly permuteLabels?: boolean;
  readonly patience?: number;
  readonly maxSeconds?: number;
  readonly threads?: number;
  /** Continue from outDir/checkpoint.bin when it exists (default true). */
  readonly resume?: boolean;
  /** A local .onnx whose same-named initializers start the training (nothing is downloaded). */
  readonly pretrained?: string;
  readonly reporter?: ProgressReporter;
}

/** What the job wrote and measured. */
export interface TrainJobResult {
  readonly modelFile: string;
  readonly cardFile: string;
  readonly card: ModelCard;
  readonly result: TrainResult;
  readonly resumedFromEpoch: number | undefined;
}

/** Loads one split as samples at the model's input size (grayscale; masks nearest, boxes scaled). */
export async function loadSamples(dataset: Dataset, split: Split, size: number): Promise<TrainingSample[]> {
  const out: TrainingSample[] = [];
  for await (const { item, image, groundTruth } of loadItems(dataset, { split })) {
    const pixels = image.width === size && image.height === size ? image.pixels : resizeImage(image.pixels, image.width, image.height, { width: size, height: size });
    let mask: Uint8Array | undefined;
    let boxes: Box[] | undefined;
    if (groundTruth.kind === 'mask') mask = resizeMask(groundTruth.mask.data, groundTruth.mask.width, groundTruth.mask.height, size, size);
    if (groundTruth.kind === 'boxes') {
      const sx = size / groundTruth.width;
      const sy = size / groundTruth.height;
      boxes = groundTruth.boxes.map((b) => ({ x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy }));
    }
    out.push({ pixels, width: size, height: size, label: item.label, ...(mask ? { mask } : {}), ...(boxes ? { boxes } : {}) });
  }
  return out;
}

/** The seed of a replicate: replicates of one run differ only in it. */
export function replicateSeed(seed: number, replicate: number): number {
  return createRng(seed).fork(`replicate:${replicate}`).seed;
}

/** Trains one model on a dataset, with atomic checkpoints and resume, and saves model + card. */
export async function runTrainJob(options: TrainJobOptions): Promise<TrainJobResult> {
  const info = architectureInfo(options.architecture);
  const size = options.inputSize ?? info.defaultInputSize;
  const replicate = options.replicate ?? 1;
  const seed = replicateSeed(options.seed ?? 0, replicate);
  let built: BuiltModel = info.build({ inputSize: size, seed });
  if (options.pretrained) built = loadPretrained(built, decodeModel(await readFile(options.pretrained), options.pretrained));
  const [train, val, test] = await Promise.all((['train', 'val', 'test'] as const).map((s) => loadSamples(options.dataset, s, size)));
  const task = built.task === 'detection' ? detectionTask(built) : taskFor(built);
  const checkpointFile = path.join(options.outDir, 'checkpoint.bin');
  let resume: TrainingCheckpoint | undefined;
  if (options.resume ?? true) {
    const bytes = await readFile(checkpointFile).catch(() => undefined);
    if (bytes) resume = decodeCheckpoint(bytes);
  }
  const dataId = stableHash({ root: options.dataset.root, size: options.dataset.size, train: train.length, val: val.length, pretrained: options.pretrained ?? null });
  const learningRate = options.learningRate ?? (info.id === 'inceptionv3' || info.id === 'densenet121' ? 7e-5 : 1e-3);
  const result = await trainModel(built, task, { train: arraySource(train), val: arraySource(val) }, {
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(resume ? { resume } : {}),
    optimizer: options.optimizer === 'sgd' ? { kind: 'sgd', learningRate, momentum: 0.9 } : { kind: 'adam', learningRate },
    augment: options.augment === false ? false : {},
    balance: options.balance ?? false,
    permuteLabels: options.permuteLabels ?? false,
    seed,
    dataId,
    onCheckpoint: (c) => writeFileAtomic(checkpointFile, encodeCheckpoint(c)),
  });
  const trained: BuiltModel = { ...built, model: result.model };
  const metrics = await evaluate(trained, test, seed, options.threads);
  const bytes = encodeModel(exportableModel(trained));
  const card = createModelCard(trained, {
    name: `${info.id}-r${replicate}`,
    training: { ...result.config, replicate, stopped: result.stopped, best: result.best ?? null, history: result.history, seconds: result.seconds, nchwc: result.nchwc, dataset: options.dataset.root, permuteLabels: options.permuteLabels ?? false },
    metrics,
    modelBytes: bytes,
  });
  const modelFile = path.join(options.outDir, 'model.onnx');
  const cardFile = path.join(options.outDir, 'model.card.json');
  await writeFileAtomic(modelFile, bytes);
  await writeJsonAtomic(cardFile, card);
  return { modelFile, cardFile, card, result, resumedFromEpoch: resume?.epoch };
}

/** Test-split metrics of a trained model: ROC-AUC, mean Dice or mAP@0.5, each with a 95% bootstrap interval. */
export async function evaluate(built: BuiltModel, test: readonly TrainingSample[], seed: number, threads?: number): Promise<Record<string, unknown>> {
  if (test.length === 0) return {};
  const task = built.task === 'detection' ? detectionTask(built) : taskFor(built);
  const runner = await TrainingRunner.create(built, task.loss, threads ? { threads } : {});
  try {
    const source = arraySource(test);
    if (built.task === 'classification') {
      const labels = test.map((s) => s.label);
      if (new Set(labels).size < 2) return { testImages: test.length };
      const scores = await predictPositive(runner, source, 32);
      return { testImages: test.length, rocAuc: rocAuc(scores, labels), rocAucCi95: aucInterval(scores, labels, seed) };
    }
    if (built.task === 'segmentation') {
      const dices = await segmentationDice(runner, source, 16);
      if (dices.length === 0) return { testImages: test.length };
      const ci = bootstrapCi(dices, { seed, resamples: 2000 });
      return { testImages: test.length, lesionImages: dices.length, dice: ci.estimate, diceCi95: [ci.lower, ci.upper] };
    }
    const images = await detect(runner, source, 16);
    const boxes = images.reduce((n, im) => n + im.truth.length, 0);
    if (boxes === 0) return { testImages: test.length };
    return { testImages: test.length, testBoxes: boxes, map50: meanAveragePrecision(images), map50Ci95: mapInterval(images, seed) };
  } finally {
    await runner.dispose();
  }
}

/** Percentile bootstrap 95% interval of ROC-AUC, resampling images (2,000 resamples, seeded). */
function aucInterval(scores: Float64Array, labels: readonly number[], seed: number): [number, number] {
  const rng = createRng(seed).fork('auc-bootstrap');
  const values: number[] = [];
  const n = labels.length;
  const s = new Float64Array(n);
  const l = new Float64Array(n);
  for (let r = 0; r < 2000; r++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      s[i] = scores[j]!;
      l[i] = labels[j]!;
    }
    if (l.includes(0) && l.includes(1)) values.push(rocAuc(s, l));
  }
  return percentile95(values);
}

/** Percentile bootstrap 95% interval of mAP@0.5, resampling images with their detections (2,000 resamples, seeded). */
function mapInterval(images: readonly { readonly detections: readonly Box[]; readonly truth: readonly Box[] }[], seed: number): [number, number] {
  const rng = createRng(seed).fork('map-bootstrap');
  const values: number[] = [];
  const n = images.length;
  for (let r = 0; r < 2000; r++) {
    const resample = Array.from({ length: n }, () => images[rng.int(n)]!);
    // A resample without any lesion box has no AP; it is skipped as AUC skips one-class resamples.
    const ap = meanAveragePrecision(resample);
    if (!Number.isNaN(ap)) values.push(ap);
  }
  return percentile95(values);
}

function percentile95(values: number[]): [number, number] {
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))]!;
  return [at(0.025), at(0.975)];
}
