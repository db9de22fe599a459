import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { decodeModel } from '../../src/graph/onnx-io.js';
import { buildRetinaNet } from '../../src/models/architectures/retinanet.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildSmallResNet } from '../../src/models/architectures/small-resnet.js';
import { detectionTask } from '../../src/models/detection/task.js';
import { importModel } from '../../src/models/imported.js';
import { type LossFunction, softmaxCrossEntropy } from '../../src/models/training/losses.js';
import { createOptimizer } from '../../src/models/training/optimizers.js';
import { TrainingRunner } from '../../src/models/training/runner.js';
import type { TrainingSample } from '../../src/models/training/samples.js';
import type { BuiltModel } from '../../src/models/architecture.js';
import { oraclePath } from '../helpers/oracle.js';
import { hasTorch, relativeError, torchReference, type TorchLoss } from './helpers.js';

function batch(seed: number, dims: [number, number, number, number]): { data: Float32Array; dims: number[] } {
  const rng = createRng(seed);
  const data = new Float32Array(dims[0] * dims[1] * dims[2] * dims[3]);
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng.uniform() - 1;
  return { data, dims };
}

function targets(n: number, k: number): Float32Array {
  const t = new Float32Array(n * k);
  for (let i = 0; i < n; i++) t[i * k + (i % k)] = 1 / n;
  return t;
}

async function compareWithTorch(
  built: BuiltModel,
  input: { data: Float32Array; dims: number[] },
  loss: { ours: LossFunction; torch: TorchLoss; targets: Float32Array[] } = { ours: softmaxCrossEntropy, torch: 'softmax-cross-entropy', targets: [targets(input.dims[0]!, 2)] },
): Promise<{ grad: number; stats: number; loss: number; lossValue: number; nchwcConvs: number }> {
  const runner = await TrainingRunner.create(built, loss.ours, { threads: 1 });
  const ours = await runner.pass(input, loss.targets);
  const nchwcConvs = runner.nchwc.convs;
  await runner.dispose();
  const weights = Object.keys(ours.gradients);
  const ref = torchReference(built.model, built.trainOutput, input, loss.targets, weights, loss.torch);
  let grad = 0;
  for (const w of weights) grad = Math.max(grad, relativeError(ours.gradients[w]!, ref.gradients[w]!));
  let stats = 0;
  for (const [name, v] of Object.entries(ours.updates)) stats = Math.max(stats, relativeError(v, ref.updates[name]!));
  return { grad, stats, loss: Math.abs(ours.loss - ref.loss), lossValue: ref.loss, nchwcConvs };
}

// Skipped only on a developer machine without Debian's python3-torch; CI installs it (.ci/run), so there it always runs.
describe.runIf(hasTorch() || process.env.CI === 'true')('weight gradients match PyTorch autograd', () => {
  it('small CNN with BatchNorm in training mode (gradients and running statistics)', async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4, seed: 3, channels: 3 });
    const r = await compareWithTorch(built, batch(1, [4, 3, 32, 32]));
    // Its 8- to 32-channel convs run on onnxruntime's NCHWc kernels (x86), forward and input gradient.
    if (process.arch === 'x64') expect(r.nchwcConvs).toBeGreaterThanOrEqual(5);
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.grad).toBeLessThan(1e-4);
    expect(r.stats).toBeLessThan(1e-5);
  });

  it('small ResNet (residual Add, strided convs, 1x1 projection shortcuts)', async () => {
    const built = buildSmallResNet({ inputSize: 32, width: 4, seed: 3 });
    const r = await compareWithTorch(built, batch(3, [4, 1, 32, 32]));
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.grad).toBeLessThan(1e-4);
    expect(r.stats).toBeLessThan(1e-5);
  });

  it('the tiny oracle InceptionV3-like model', async () => {
    const model = decodeModel(readFileSync(oraclePath('saliency/tiny_inception.onnx')), 'tiny_inception.onnx');
    const built = importModel(model);
    const r = await compareWithTorch(built, batch(2, [3, 3, 64, 64]));
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.grad).toBeLessThan(1e-4);
  });

  it('RetinaNet: focal + smooth-L1 through shared subnets, FPN upsampling and the anchor reshapes', async () => {
    const built = buildRetinaNet({ inputSize: 64, seed: 4 });
    const task = detectionTask(built, { alpha: 0.25, gamma: 2, beta: 1 / 9 });
    const blank = { pixels: new Float32Array(64 * 64), width: 64, height: 64 };
    const samples: TrainingSample[] = [
      { ...blank, label: 1, boxes: [{ x: 10, y: 12, width: 18, height: 22 }, { x: 36, y: 30, width: 24, height: 20 }] },
      { ...blank, label: 1, boxes: [{ x: 20, y: 5, width: 30, height: 28 }] },
    ];
    const r = await compareWithTorch(built, batch(6, [2, 1, 64, 64]), {
      ours: task.loss,
      torch: { sliced: [{ size: 1, loss: 'focal', alpha: 0.25, gamma: 2 }, { size: 4, loss: 'smooth-l1', beta: 1 / 9 }] },
      targets: task.targets(samples),
    });
    expect(r.loss).toBeLessThan(1e-5 * Math.max(1, r.lossValue));
    expect(r.grad).toBeLessThan(1e-4);
    expect(r.stats).toBeLessThan(1e-5);
  });
});

describe('training step', () => {
  it.each([
    ['small CNN', () => buildSmallCnn({ inputSize: 32, width: 4, seed: 5, channels: 3 }), 3],
    ['small ResNet', () => buildSmallResNet({ inputSize: 32, width: 4, seed: 5 }), 1],
  ] as const)('Adam steps on a fixed batch reduce the loss of the %s', async (_, build, channels) => {
    const runner = await TrainingRunner.create(build(), softmaxCrossEntropy, { threads: 1 });
    const input = batch(7, [8, channels, 32, 32]);
    const t = targets(8, 2);
    const optimizer = createOptimizer({ kind: 'adam', learningRate: 3e-3 });
    const first = await runner.step(input, [t], optimizer);
    let last = first.loss;
    for (let i = 0; i < 5; i++) last = (await runner.step(input, [t], optimizer)).loss;
    await runner.dispose();
    expect(last).toBeLessThan(first.loss * 0.8);
  });

  it('SGD with momentum also reduces it', async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4, seed: 5, channels: 3 });
    const runner = await TrainingRunner.create(built, softmaxCrossEntropy, { threads: 1 });
    const input = batch(7, [8, 3, 32, 32]);
    const t = targets(8, 2);
    const optimizer = createOptimizer({ kind: 'sgd', learningRate: 0.05, momentum: 0.9 });
    const first = await runner.step(input, [t], optimizer);
    let last = first.loss;
    for (let i = 0; i < 5; i++) last = (await runner.step(input, [t], optimizer)).loss;
    await runner.dispose();
    expect(last).toBeLessThan(first.loss);
  });
});
