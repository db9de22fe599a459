/**
 * What differs between classifier, segmentation and detection training: the loss, the targets of a
 * batch, and the validation score that selects checkpoints (ROC-AUC, Dice, mAP@0.5).
 */
import type { BuiltModel } from '../architecture.js';
import { diceScore, rocAucScore } from '../evaluation.js';
import { diceBceLoss, type LossFunction, sigmoidCrossEntropy, softmaxCrossEntropy } from './losses.js';
import type { TrainingRunner } from './runner.js';
import { type SampleSource, type TrainingSample, toInput } from './samples.js';

/** The per-task pieces the trainer needs. */
export interface TrainingTask {
  readonly loss: LossFunction;
  /** Name of the validation score (higher is better). */
  readonly metric: 'roc-auc' | 'dice' | 'map50';
  targets(samples: readonly TrainingSample[]): Float32Array[];
  /** Validation score of the current weights. */
  score(runner: TrainingRunner, source: SampleSource, batchSize: number): Promise<number>;
}

/** Loss choices of classifiers. */
export type ClassifierLoss = 'softmax-cross-entropy' | 'sigmoid-cross-entropy';

/** Classification with a K-class head; class 1 is positive. Targets are one-hot rows weighted 1/n (batch mean). */
export function classificationTask(classes: number, loss: ClassifierLoss = 'softmax-cross-entropy'): TrainingTask {
  return {
    loss: loss === 'softmax-cross-entropy' ? softmaxCrossEntropy : sigmoidCrossEntropy,
    metric: 'roc-auc',
    targets(samples) {
      const n = samples.length;
      const t = new Float32Array(n * classes);
      samples.forEach((s, i) => (t[i * classes + s.label] = loss === 'softmax-cross-entropy' ? 1 / n : 1));
      if (loss === 'softmax-cross-entropy') return [t];
      return [t, new Float32Array(n * classes).fill(1 / (n * classes))];
    },
    async score(runner, source, batchSize) {
      const scores = await predictPositive(runner, source, batchSize);
      return rocAucScore(scores, source.labels);
    },
  };
}

/** Probability of the positive class (index 1) per sample, from softmax over the logits. */
export async function predictPositive(runner: TrainingRunner, source: SampleSource, batchSize: number, positive = 1): Promise<Float64Array> {
  const out = new Float64Array(source.length);
  for (let start = 0; start < source.length; start += batchSize) {
    const samples: TrainingSample[] = [];
    for (let i = start; i < Math.min(source.length, start + batchSize); i++) samples.push(await source.load(i));
    const { output } = await runner.predict(toInput(samples, runner.built.preprocessing));
    const k = output.dims[1]!;
    samples.forEach((_, r) => {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, output.data[r * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(output.data[r * k + j]! - max);
      out[start + r] = Math.exp(output.data[r * k + positive]! - max) / sum;
    });
  }
  return out;
}

/** Segmentation with Dice + BCE on [N, 1, H, W] mask logits; scored by mean Dice on images with lesions. */
export function segmentationTask(): TrainingTask {
  return {
    loss: diceBceLoss,
    metric: 'dice',
    targets(samples) {
      const n = samples.length;
      const plane = samples[0]!.width * samples[0]!.height;
      const y = new Float32Array(n * plane);
      samples.forEach((s, i) => {
        if (s.mask) for (let j = 0; j < plane; j++) y[i * plane + j] = s.mask[j]! ? 1 : 0;
      });
      return [y, new Float32Array(n * plane).fill(1 / (n * plane)), new Float32Array(n).fill(1 / n)];
    },
    async score(runner, source, batchSize) {
      const dices = await segmentationDice(runner, source, batchSize);
      return dices.length ? dices.reduce((a, b) => a + b, 0) / dices.length : NaN;
    },
  };
}

/** Dice at threshold 0.5 of every sample with a lesion. */
export async function segmentationDice(runner: TrainingRunner, source: SampleSource, batchSize: number): Promise<number[]> {
  const dices: number[] = [];
  for (let start = 0; start < source.length; start += batchSize) {
    const samples: TrainingSample[] = [];
    for (let i = start; i < Math.min(source.length, start + batchSize); i++) samples.push(await source.load(i));
    const { output } = await runner.predict(toInput(samples, runner.built.preprocessing));
    const plane = samples[0]!.width * samples[0]!.height;
    samples.forEach((s, r) => {
      if (s.mask && s.mask.some((v) => v)) dices.push(diceScore(output.data.subarray(r * plane, (r + 1) * plane), s.mask));
    });
  }
  return dices;
}

/** The task of a built model (detection tasks come from the RetinaNet module). */
export function taskFor(built: BuiltModel, classes = 2): TrainingTask {
  if (built.task === 'segmentation') return segmentationTask();
  return classificationTask(classes);
}
