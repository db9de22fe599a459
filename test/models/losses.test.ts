import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { createGraphSession } from '../../src/engine/training-session.js';
import type { Model } from '../../src/graph/ir.js';
import { diceBceLoss, focalLoss, type LossFunction, sigmoidCrossEntropy, slicedLoss, smoothL1Loss, softmaxCrossEntropy } from '../../src/models/training/losses.js';
import { SeedEmitter } from '../../src/models/training/seed-graph.js';

/** Runs a loss's gradient subgraph on its own. */
async function graphGradient(loss: LossFunction, z: Float32Array, dims: number[], targets: Float32Array[]): Promise<Float32Array> {
  const e = new SeedEmitter('loss');
  const targetDims = loss.targetDims(dims).map((d) => d.map((x) => (typeof x === 'number' ? x : dims[0]!)));
  const names = targetDims.map((_, i) => `t${i}`);
  const grad = e.op('Identity', [loss.emitGradient(e, 'z', names)], {}, 'grad');
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: [],
    graph: {
      name: 'loss',
      nodes: e.nodes,
      initializers: e.constants,
      inputs: [{ name: 'z', elemType: 1, shape: dims }, ...names.map((name, i) => ({ name, elemType: 1, shape: targetDims[i]! }))],
      outputs: [{ name: grad, elemType: 1, shape: dims }],
      valueInfo: [],
    },
  };
  const session = await createGraphSession(model, { threads: 1 });
  const feeds = Object.fromEntries([['z', { data: z, dims }], ...names.map((n, i) => [n, { data: targets[i]!, dims: targetDims[i]! as number[] }])]);
  const out = await session.run(feeds);
  await session.dispose();
  return out[grad]!.data;
}

function finiteDifference(loss: LossFunction, z: Float32Array, dims: number[], targets: Float32Array[]): Float64Array {
  const out = new Float64Array(z.length);
  const h = 1e-2;
  for (let i = 0; i < z.length; i++) {
    const plus = Float32Array.from(z);
    const minus = Float32Array.from(z);
    plus[i] = z[i]! + h;
    minus[i] = z[i]! - h;
    out[i] = (loss.value({ data: plus, dims }, targets) - loss.value({ data: minus, dims }, targets)) / (2 * h);
  }
  return out;
}

function random(n: number, seed: number, scale = 2): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * scale);
}

function binary(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
}

async function check(loss: LossFunction, dims: number[], targets: Float32Array[]): Promise<void> {
  const z = random(dims.reduce((a, b) => a * b, 1), 11);
  const ours = await graphGradient(loss, z, dims, targets);
  const numeric = finiteDifference(loss, z, dims, targets);
  let scale = 0;
  for (const v of numeric) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < z.length; i++) expect(Math.abs(ours[i]! - numeric[i]!)).toBeLessThan(2e-3 * Math.max(scale, 1e-3));
}

describe('loss gradients computed in the graph equal finite differences of the loss values', () => {
  it('softmax cross-entropy', async () => {
    const t = new Float32Array(8);
    [1, 0, 1, 1].forEach((c, i) => (t[i * 2 + c] = 0.25));
    await check(softmaxCrossEntropy, [4, 2], [t]);
  });
  it('sigmoid cross-entropy', async () => {
    await check(sigmoidCrossEntropy, [3, 4], [binary(12, 1), new Float32Array(12).fill(1 / 12)]);
  });
  it('focal loss', async () => {
    const w = new Float32Array(20).fill(0.1);
    w[3] = 0;
    await check(focalLoss(0.25, 2), [2, 10], [binary(20, 2), w]);
  });
  it('smooth-L1', async () => {
    await check(smoothL1Loss(1 / 9), [2, 6], [random(12, 3), binary(12, 4)]);
  });
  it('Dice + BCE', async () => {
    await check(diceBceLoss, [2, 1, 3, 3], [binary(18, 5), new Float32Array(18).fill(1 / 18), new Float32Array(2).fill(0.5)]);
  });
  it('focal + smooth-L1 on slices of the last axis (RetinaNet)', async () => {
    const loss = slicedLoss([
      { size: 1, loss: focalLoss() },
      { size: 4, loss: smoothL1Loss(1) },
    ]);
    await check(loss, [1, 3, 5], [binary(3, 6), new Float32Array(3).fill(0.5), random(12, 7), binary(12, 8)]);
  });
});
