import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildUnet } from '../../src/models/architectures/unet.js';
import { cardHash, createModelCard, parseModelCard } from '../../src/models/card.js';
import { describeBuilt } from '../../src/models/describe.js';
import { augmentSample } from '../../src/models/training/augment.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainingCheckpoint } from '../../src/models/training/checkpoint.js';
import { arraySource, type TrainingSample } from '../../src/models/training/samples.js';
import { classificationTask, segmentationTask } from '../../src/models/training/tasks.js';
import { epochOrder, trainModel } from '../../src/models/training/train.js';

/** Bright square = positive: learnable in a few steps. */
function squares(n: number, seed: number, size = 16): TrainingSample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const pixels = new Float32Array(size * size);
    const mask = new Uint8Array(size * size);
    for (let p = 0; p < pixels.length; p++) pixels[p] = 0.3 + 0.1 * rng.uniform();
    if (label) {
      const x0 = 2 + rng.int(size - 8);
      const y0 = 2 + rng.int(size - 8);
      for (let y = y0; y < y0 + 5; y++) for (let x = x0; x < x0 + 5; x++) {
        pixels[y * size + x] = 0.9;
        mask[y * size + x] = 1;
      }
    }
    return { pixels, width: size, height: size, label, mask };
  });
}

describe('trainModel', () => {
  const train = arraySource(squares(32, 1));
  const val = arraySource(squares(16, 2));
  const options = { epochs: 3, batchSize: 8, optimizer: { kind: 'adam', learningRate: 1e-2 } as const, threads: 1, seed: 3, augment: false as const };

  it('learns a separable toy task, reports progress and hands out a checkpoint per epoch', async () => {
    const built = buildSmallCnn({ inputSize: 16, width: 4, seed: 1 });
    const events: string[] = [];
    const checkpoints: TrainingCheckpoint[] = [];
    const result = await trainModel(built, classificationTask(2), { train, val }, {
      ...options,
      reporter: (e) => events.push(e.stage),
      onCheckpoint: (c) => {
        checkpoints.push(decodeCheckpoint(encodeCheckpoint(c)));
      },
    });
    expect(result.best!.score).toBeGreaterThan(0.9);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3]);
    expect(events).toContain('train epoch 1/3');
    expect(events).toContain('train epochs');
  });

  it('a run resumed from its epoch-1 checkpoint ends with the same weights as an uninterrupted run', async () => {
    const built = buildSmallCnn({ inputSize: 16, width: 4, seed: 1 });
    const task = classificationTask(2);
    let first: TrainingCheckpoint | undefined;
    const full = await trainModel(built, task, { train, val }, { ...options, onCheckpoint: (c) => void (c.epoch === 1 ? (first = decodeCheckpoint(encodeCheckpoint(c))) : undefined) });
    const resumed = await trainModel(built, task, { train, val }, { ...options, resume: first! });
    const withoutTime = (h: readonly { epoch: number; loss: number; score: number }[]) => h.map(({ epoch, loss, score }) => ({ epoch, loss, score }));
    expect(withoutTime(resumed.history)).toEqual(withoutTime(full.history));
    for (const [name, v] of full.parameters) expect(Array.from(resumed.parameters.get(name)!)).toEqual(Array.from(v));
  });

  it('refuses a checkpoint of another configuration', async () => {
    const built = buildSmallCnn({ inputSize: 16, width: 4, seed: 1 });
    let c: TrainingCheckpoint | undefined;
    await trainModel(built, classificationTask(2), { train, val }, { ...options, epochs: 1, onCheckpoint: (x) => void (c = x) });
    await expect(trainModel(built, classificationTask(2), { train, val }, { ...options, seed: 4, resume: c! })).rejects.toMatchObject({ code: 'model-checkpoint-invalid' });
  });

  it('trains the U-Net with Dice + BCE (Dice improves)', async () => {
    const built = buildUnet({ inputSize: 16, width: 4, depth: 2, seed: 1 });
    const result = await trainModel(built, segmentationTask(), { train, val }, { ...options, epochs: 4 });
    expect(result.history[result.history.length - 1]!.loss).toBeLessThan(result.history[0]!.loss);
  });

  it('label permutation and class balancing are seeded', () => {
    const labels = [1, 0, 0, 0, 0, 1, 0, 0];
    const a = epochOrder(labels, 1, 5, true);
    expect(a).toEqual(epochOrder(labels, 1, 5, true));
    expect(a.filter((i) => labels[i] === 1).length).toBe(a.filter((i) => labels[i] === 0).length);
    expect(epochOrder(labels, 2, 5, false)).not.toEqual(epochOrder(labels, 1, 5, false));
  });
});

describe('augmentation', () => {
  it('moves the mask with the image and is repeatable from the seed', () => {
    const [sample] = squares(2, 4).slice(1);
    const a = augmentSample(sample!, createRng(1));
    const b = augmentSample(sample!, createRng(1));
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
    // The lesion stays bright under the moved mask.
    let inside = 0;
    let count = 0;
    a.mask!.forEach((m, i) => {
      if (m) {
        inside += a.pixels[i]!;
        count++;
      }
    });
    expect(count).toBeGreaterThan(10);
    expect(inside / count).toBeGreaterThan(0.7);
  });
});

describe('model card and description', () => {
  it('records blocks, preprocessing and a content hash that changes with the content', () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4 });
    const card = createModelCard(built, { metrics: { rocAuc: 0.9 } });
    expect(parseModelCard(JSON.parse(JSON.stringify(card)))).toEqual(card);
    expect(card.contentHash).toBe(cardHash(card));
    expect(card.randomization.blocks[0]!.name).toBe('logits');
    expect(card.positiveClass).toBe(1);
    expect(cardHash({ ...card, seed: 99 })).not.toBe(card.contentHash);
    expect(() => parseModelCard({ ...card, randomization: {} })).toThrow(expect.objectContaining({ code: 'model-card-invalid' }));
  });

  it('describes parameters with BatchNorm statistics and the Grad-CAM layer', () => {
    const d = describeBuilt(buildSmallCnn({ inputSize: 32, width: 4 }));
    expect(d.gradCamLayer).toBe('block5');
    expect(d.parameters.total).toBe(d.parameters.trainable + d.parameters.statistics);
    expect(d.parameters.statistics).toBeGreaterThan(0);
    expect(d.blocks.map((b) => b.name)).toEqual(['logits', 'block5', 'block4', 'block3', 'block2', 'block1']);
  });
});
