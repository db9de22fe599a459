/**
 * `heatcheck train --arch <id> --dataset <folder | phantom> [--replicate N] [--seed S] ...`: trains a
 * model with checkpoints after every epoch (a killed run resumes), and writes model.onnx + model.card.json.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { openDataset, openPhantomDataset, type Dataset } from '../../data/index.js';
import { runTrainJob } from '../../jobs/train.js';
import { createProgress } from '../progress.js';

function number(kind: 'int' | 'positive'): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n)) || (kind === 'positive' && !(n > 0))) {
      throw new UsageError('cli-bad-number', `expected ${kind === 'int' ? 'an integer' : 'a positive number'}, got "${value}"`);
    }
    return n;
  };
}

interface TrainFlags {
  arch: string;
  dataset: string;
  out?: string;
  replicate: number;
  seed: number;
  inputSize?: number;
  epochs?: number;
  batchSize?: number;
  optimizer: string;
  lr?: number;
  balance?: boolean;
  augment: boolean;
  permuteLabels?: boolean;
  patience?: number;
  maxMinutes?: number;
  threads?: number;
  pretrained?: string;
  resume: boolean;
  lesion: string;
  phantomCount: number;
  progress: string;
}

async function openData(flags: TrainFlags, size: number | undefined): Promise<Dataset> {
  if (flags.dataset === 'phantom') {
    if (flags.lesion !== 'pneumonia' && flags.lesion !== 'pneumothorax') throw new UsageError('cli-bad-lesion', `--lesion must be pneumonia or pneumothorax, got "${flags.lesion}"`);
    return openPhantomDataset({ count: flags.phantomCount, size: size ?? 128, lesion: flags.lesion, seed: flags.seed });
  }
  return openDataset(flags.dataset, { seed: flags.seed });
}

/** Registers `train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a classifier (inceptionv3, densenet121, small-cnn, small-resnet) or a baseline (unet, retinanet) on a dataset')
    .requiredOption('--arch <id>', 'architecture')
    .requiredOption('--dataset <folder|phantom>', 'a SIIM/RSNA/folder dataset, or "phantom" for generated chest X-rays')
    .option('--out <folder>', 'output folder (default runs/train/<arch>-r<replicate>)')
    .option('--replicate <n>', 'replicate number (replicates differ in seed only)', number('int'), 1)
    .option('--seed <n>', 'seed of weights, data order and augmentation', number('int'), 0)
    .option('--input-size <n>', 'input size (default: the architecture\'s)', number('int'))
    .option('--epochs <n>', 'most epochs (default 30)', number('int'))
    .option('--batch-size <n>', 'images per step (default 16)', number('int'))
    .option('--optimizer <adam|sgd>', 'optimizer', 'adam')
    .option('--lr <rate>', 'learning rate (default 7e-5 for InceptionV3/DenseNet121, 1e-3 otherwise)', number('positive'))
    .option('--balance', 'oversample the minority class')
    .option('--no-augment', 'no rotation/shift/intensity augmentation')
    .option('--permute-labels', 'train on permuted labels (data randomization test)')
    .option('--patience <n>', 'early-stopping patience in epochs (default 5)', number('int'))
    .option('--max-minutes <m>', 'stop after this much training time', number('positive'))
    .option('--threads <n>', 'onnxruntime threads', number('int'))
    .option('--pretrained <file.onnx>', 'start from the same-named weights of a local ONNX model')
    .option('--no-resume', 'start over even if a checkpoint exists')
    .option('--lesion <kind>', 'phantom lesions: pneumonia (boxes) or pneumothorax (masks)', 'pneumonia')
    .option('--phantom-count <n>', 'phantom images', number('int'), 2000)
    .option('--progress <mode>', 'progress on stderr: auto, plain, json, quiet', 'auto')
    .action(async (flags: TrainFlags) => {
      if (flags.optimizer !== 'adam' && flags.optimizer !== 'sgd') throw new UsageError('cli-bad-optimizer', `--optimizer must be adam or sgd, got "${flags.optimizer}"`);
      const progress = createProgress({ mode: flags.progress as 'auto' });
      const dataset = await openData(flags, flags.inputSize);
      const outDir = flags.out ?? path.join('runs', 'train', `${flags.arch}-r${flags.replicate}`);
      const result = await runTrainJob({
        architecture: flags.arch,
        dataset,
        outDir,
        replicate: flags.replicate,
        seed: flags.seed,
        optimizer: flags.optimizer,
        augment: flags.augment,
        resume: flags.resume,
        balance: flags.balance ?? false,
        permuteLabels: flags.permuteLabels ?? false,
        reporter: progress,
        ...(flags.inputSize !== undefined ? { inputSize: flags.inputSize } : {}),
        ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
        ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
        ...(flags.lr !== undefined ? { learningRate: flags.lr } : {}),
        ...(flags.patience !== undefined ? { patience: flags.patience } : {}),
        ...(flags.maxMinutes !== undefined ? { maxSeconds: flags.maxMinutes * 60 } : {}),
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
        ...(flags.pretrained !== undefined ? { pretrained: flags.pretrained } : {}),
      });
      progress.finish();
      process.stdout.write(`${JSON.stringify({ model: result.modelFile, card: result.cardFile, resumedFromEpoch: result.resumedFromEpoch ?? null, best: result.result.best ?? null, metrics: result.card.metrics ?? {} }, null, 2)}\n`);
    });
}
