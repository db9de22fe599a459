/**
 * `trainModel`: seeded mini-batch training of a built model with a training task. Seeded data order
 * (optionally class-balanced), light augmentation, Adam or SGD, a validation score after every epoch,
 * best-checkpoint selection and early stopping on it, progress through an injected reporter, and a
 * checkpoint after every epoch handed to an injected writer (the model layer does no I/O); a run
 * restarted with the last checkpoint continues exactly where it stopped.
 */
import { stableHash } from '../../core/hash.js';
import { createRng, type Rng } from '../../core/rng.js';
import type { ProgressReporter } from '../../core/types.js';
import type { Model } from '../../graph/ir.js';
import type { BuiltModel } from '../architecture.js';
import { modelErrors } from '../messages.js';
import { augmentSample, defaultAugment, type AugmentOptions } from './augment.js';
import type { EpochRecord, TrainingCheckpoint } from './checkpoint.js';
import { createOptimizer, type OptimizerConfig } from './optimizers.js';
import { TrainingRunner } from './runner.js';
import { type SampleSource, type TrainingSample, toInput } from './samples.js';
import type { TrainingTask } from './tasks.js';

/** Training options; every field has a default. */
export interface TrainOptions {
  /** Most epochs (default 30). */
  readonly epochs?: number;
  /** Images per step (default 16). */
  readonly batchSize?: number;
  /** Optimiser (default Adam at 7e-5, the paper's). */
  readonly optimizer?: OptimizerConfig;
  /** Stop after this many epochs without a better validation score (default 5). */
  readonly patience?: number;
  /** Augmentation ranges, or false for none (default: `defaultAugment`). */
  readonly augment?: AugmentOptions | false;
  /** Oversample the minority class so each epoch sees both classes equally (default false). */
  readonly balance?: boolean;
  /** Seed of data order, augmentation and label permutation (default 0). */
  readonly seed?: number;
  /** Train on labels permuted across the training images (Adebayo's data randomization test; default false). */
  readonly permuteLabels?: boolean;
  /** Stop (after the current step) once this many seconds of training have passed. */
  readonly maxSeconds?: number;
  /** onnxruntime threads. */
  readonly threads?: number;
  readonly reporter?: ProgressReporter;
  /** Receives a checkpoint after every epoch (write it atomically). */
  readonly onCheckpoint?: (checkpoint: TrainingCheckpoint) => Promise<void> | void;
  /** Resume from this checkpoint (must come from the same configuration). */
  readonly resume?: TrainingCheckpoint;
  /** Identifies the data (e.g. the dataset's hash), folded into the configuration hash. */
  readonly dataId?: string;
}

/** The resolved training configuration, recorded on the model card. */
export interface TrainingConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerConfig;
  readonly patience: number;
  readonly augment: Required<AugmentOptions> | false;
  readonly balance: boolean;
  readonly seed: number;
  readonly permuteLabels: boolean;
  readonly maxSeconds: number | undefined;
  readonly loss: string;
  readonly metric: string;
}

/** What training returns: the best model and how it got there. */
export interface TrainResult {
  /** The model with the best validation score's weights. */
  readonly model: Model;
  readonly parameters: ReadonlyMap<string, Float32Array>;
  readonly history: readonly EpochRecord[];
  readonly best: { readonly epoch: number; readonly score: number } | undefined;
  readonly config: TrainingConfig;
  readonly configHash: string;
  readonly stopped: 'epochs' | 'early-stopping' | 'time-limit';
  readonly seconds: number;
  /** Convolutions of the step on onnxruntime's NCHWc kernels and their channel block (0 and 0: none); the rounding depends on it. */
  readonly nchwc: { readonly convs: number; readonly block: number };
}

/** Fills in defaults and checks ranges. */
export function resolveTrainingConfig(options: TrainOptions, task: TrainingTask): TrainingConfig {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw modelErrors.badOption(name, v, 'a positive integer');
  };
  const epochs = options.epochs ?? 30;
  const batchSize = options.batchSize ?? 16;
  const patience = options.patience ?? 5;
  positive('epochs', epochs);
  positive('patience', patience);
  if (!Number.isInteger(batchSize) || batchSize < 2) throw modelErrors.badOption('batchSize', batchSize, 'an integer >= 2 (BatchNorm needs batch statistics)');
  return {
    epochs,
    batchSize,
    optimizer: options.optimizer ?? { kind: 'adam', learningRate: 7e-5 },
    patience,
    augment: options.augment === false ? false : { ...defaultAugment, ...(options.augment ?? {}) },
    balance: options.balance ?? false,
    seed: options.seed ?? 0,
    permuteLabels: options.permuteLabels ?? false,
    maxSeconds: options.maxSeconds,
    loss: task.loss.id,
    metric: task.metric,
  };
}

/** The order of training indices in one epoch: a seeded shuffle, optionally with the minority class oversampled. */
export function epochOrder(labels: readonly number[], epoch: number, seed: number, balance: boolean): number[] {
  const rng = createRng(seed).fork(`order:${epoch}`);
  const all = labels.map((_, i) => i);
  if (!balance) return rng.shuffle(all);
  const pos = all.filter((i) => labels[i] === 1);
  const neg = all.filter((i) => labels[i] !== 1);
  const [minority, majority] = pos.length < neg.length ? [pos, neg] : [neg, pos];
  if (minority.length === 0) return rng.shuffle(all);
  const extra: number[] = [];
  while (minority.length + extra.length < majority.length) extra.push(minority[rng.int(minority.length)]!);
  return rng.shuffle([...all, ...extra]);
}

/** Trains `built` on `data.train`, selecting the best epoch on `data.val`. */
export async function trainModel(
  built: BuiltModel,
  task: TrainingTask,
  data: { readonly train: SampleSource; readonly val: SampleSource },
  options: TrainOptions = {},
): Promise<TrainResult> {
  const config = resolveTrainingConfig(options, task);
  if (data.train.length < config.batchSize) throw modelErrors.emptyData(`training (need at least one batch of ${config.batchSize})`);
  if (data.val.length === 0) throw modelErrors.emptyData('validation');
  if (task.metric === 'roc-auc' && new Set(data.val.labels).size < 2) throw modelErrors.singleClass('validation');
  const configHash = stableHash({ architecture: built.architecture, seed: built.seed, size: built.inputSize, settings: built.settings, config, data: options.dataId ?? null });
  const resume = options.resume;
  if (resume && resume.configHash !== configHash) throw modelErrors.badCheckpoint('it was written by a run with other options or data');

  const runner = await TrainingRunner.create(built, task.loss, { ...(options.threads ? { threads: options.threads } : {}), ...(resume ? { parameters: resume.parameters } : {}) });
  const optimizer = createOptimizer(config.optimizer, resume?.optimizer);
  const labels = config.permuteLabels ? createRng(config.seed).fork('labels').shuffle([...data.train.labels]) : [...data.train.labels];
  const history: EpochRecord[] = [...(resume?.history ?? [])];
  let best = resume?.best;
  let bestParameters = resume ? new Map(resume.bestParameters) : runner.snapshot();
  const startSeconds = resume?.elapsedSeconds ?? 0;
  const t0 = performance.now();
  const elapsed = () => startSeconds + (performance.now() - t0) / 1000;
  let stopped: TrainResult['stopped'] = 'epochs';
  try {
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= config.epochs; epoch++) {
      if (best && epoch - best.epoch > config.patience) {
        stopped = 'early-stopping';
        break;
      }
      const epochStart = performance.now();
      const order = epochOrder(labels, epoch, config.seed, config.balance);
      const steps = Math.floor(order.length / config.batchSize);
      let lossSum = 0;
      let done = 0;
      for (let step = 0; step < steps; step++) {
        const samples: TrainingSample[] = [];
        for (let k = 0; k < config.batchSize; k++) {
          const index = order[step * config.batchSize + k]!;
          let sample = await data.train.load(index);
          if (config.permuteLabels) sample = { ...sample, label: labels[index] as 0 | 1 };
          if (config.augment) sample = augmentSample(sample, augmentRng(config.seed, epoch, step, k), config.augment);
          samples.push(sample);
        }
        const { loss } = await runner.step(toInput(samples, built.preprocessing), task.targets(samples), optimizer);
        lossSum += loss;
        done++;
        options.reporter?.({ stage: `train epoch ${epoch}/${config.epochs}`, done: step + 1, total: steps, detail: `loss ${loss.toFixed(4)}` });
        if (config.maxSeconds !== undefined && elapsed() > config.maxSeconds) {
          stopped = 'time-limit';
          break;
        }
      }
      const score = await task.score(runner, data.val, Math.max(config.batchSize, 32));
      const record: EpochRecord = { epoch, loss: lossSum / Math.max(1, done), score, seconds: (performance.now() - epochStart) / 1000 };
      history.push(record);
      if (!best || score > best.score || (Number.isNaN(best.score) && !Number.isNaN(score))) {
        best = { epoch, score };
        bestParameters = runner.snapshot();
      }
      options.reporter?.({ stage: 'train epochs', done: epoch, total: config.epochs, detail: `loss ${record.loss.toFixed(4)} val ${task.metric} ${score.toFixed(4)} (best ${best.score.toFixed(4)} @${best.epoch})` });
      await options.onCheckpoint?.({ epoch, history: [...history], best, configHash, parameters: runner.parameters, bestParameters, optimizer: optimizer.state(), elapsedSeconds: elapsed() });
      if (stopped === 'time-limit') break;
    }
    runner.restore(bestParameters);
    return { model: runner.toModel(), parameters: bestParameters, history, best, config, configHash, stopped, seconds: elapsed(), nchwc: runner.nchwc };
  } finally {
    await runner.dispose();
  }
}

function augmentRng(seed: number, epoch: number, step: number, k: number): Rng {
  return createRng(seed).fork(`augment:${epoch}:${step}:${k}`);
}
