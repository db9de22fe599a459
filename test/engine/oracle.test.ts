/**
 * The engine against PyTorch autograd on the tiny Inception oracle (../shared/oracle/saliency): logits,
 * input gradient, Grad-CAM activation and gradient at block mixed1's Concat, guided backprop; and
 * batched runs equal unbatched ones, including sub-batches forced by a tiny memory budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, concatBatches, makeBatch } from '../../src/core/batch.js';
import { loadOnnxModel, type OnnxModel } from '../../src/engine/index.js';
import { decodeArray } from '../helpers/oracle.js';
import { type EncodedArray, mixed1Tensor, relativeError, saliencyOracleCases } from '../helpers/saliency-oracle.js';
import { tinyInceptionPath } from './models.js';

const cases = saliencyOracleCases();
const mixed1 = mixed1Tensor;

function floats(e: EncodedArray): Float32Array {
  return decodeArray(e).data as Float32Array;
}

function row(batch: Batch, i: number): Float32Array {
  const per = batch.shape[1] * batch.shape[2] * batch.shape[3];
  return batch.data.subarray(i * per, (i + 1) * per);
}

const images = concatBatches(cases.map((c) => makeBatch(floats(c.input_nchw), [1, 3, 64, 64])));
const targets = cases.map((c) => c.target);

describe('engine on the tiny Inception oracle', () => {
  let model: OnnxModel;
  beforeAll(async () => {
    model = await loadOnnxModel(tinyInceptionPath, { threads: 2 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('describes the model and picks the mixed1 Concat as the default Grad-CAM layer', () => {
    expect(model.info.inputShape).toEqual([3, 64, 64]);
    expect(model.info.numClasses).toBe(2);
    expect(model.info.layers.map((l) => l.name)).toContain(mixed1);
    expect(model.info.layers.find((l) => l.name === mixed1)!.shape).toEqual([20, 16, 16]);
    expect(model.info.defaultCamLayer).toBe(mixed1);
    expect(model.camLayerReason).toMatch(/ReduceMean/);
    expect(model.resolveLayer('mixed1')).toBe(mixed1);
    expect(model.resolveLayer('/n/mixed1/Concat')).toBe(mixed1);
  });

  it('predicts the oracle logits', async () => {
    const logits = await model.predict(images);
    expect(logits.shape).toEqual([3, 2]);
    expect(relativeError(logits.data, cases.flatMap((c) => c.logits))).toBeLessThan(1e-4);
  });

  it('matches the input gradient', async () => {
    const result = await model.inputGradients(images, targets);
    expect(result.gradients.shape).toEqual([3, 3, 64, 64]);
    expect(relativeError(result.logits.data, cases.flatMap((c) => c.logits))).toBeLessThan(1e-4);
    cases.forEach((c, i) => expect(relativeError(row(result.gradients, i), floats(c.gradient_nchw))).toBeLessThan(1e-4));
  });

  it('matches the Grad-CAM activation and gradient at mixed1', async () => {
    const result = await model.layerGradients(images, Int32Array.from(targets), ['mixed1']);
    const activation = result.activations['mixed1']!;
    const gradient = result.gradients['mixed1']!;
    expect(activation.shape).toEqual([3, 20, 16, 16]);
    expect(gradient.shape).toEqual([3, 20, 16, 16]);
    cases.forEach((c, i) => {
      expect(relativeError(row(activation, i), floats(c.gradcam_layer_activation_nchw))).toBeLessThan(1e-4);
      expect(relativeError(row(gradient, i), floats(c.gradcam_layer_gradient_nchw))).toBeLessThan(1e-4);
    });
  });

  it('matches guided backprop', async () => {
    const result = await model.guidedGradients(images, targets);
    cases.forEach((c, i) => expect(relativeError(row(result.gradients, i), floats(c.guided_backprop_nchw))).toBeLessThan(1e-4));
  });

  it('returns several layers at once, keyed by the names asked for', async () => {
    const result = await model.layerGradients(images, targets, [mixed1, '/n/mixed0/Concat_output_0']);
    expect(Object.keys(result.activations).sort()).toEqual(['/n/mixed0/Concat_output_0', mixed1]);
    expect(result.activations['/n/mixed0/Concat_output_0']!.shape[2]).toBe(32);
    cases.forEach((c, i) => expect(relativeError(row(result.gradients[mixed1]!, i), floats(c.gradcam_layer_gradient_nchw))).toBeLessThan(1e-4));
  });

  it('returns the input gradient from the layer pass when asked (GRAD and Grad-CAM in one pass)', async () => {
    const result = await model.layerGradients(images, targets, ['mixed1'], { inputGradient: true });
    expect(result.inputGradients!.shape).toEqual([3, 3, 64, 64]);
    cases.forEach((c, i) => {
      expect(relativeError(row(result.inputGradients!, i), floats(c.gradient_nchw))).toBeLessThan(1e-4);
      expect(relativeError(row(result.gradients['mixed1']!, i), floats(c.gradcam_layer_gradient_nchw))).toBeLessThan(1e-4);
    });
    expect((await model.layerGradients(images, targets, ['mixed1'])).inputGradients).toBeUndefined();
  });

  it('builds each session once and reports its cost', async () => {
    await model.predict(images);
    const stats = model.stats();
    const variants = stats.builds.map((b) => b.variant);
    expect(new Set(variants).size).toBe(variants.length);
    expect(variants).toEqual(expect.arrayContaining(['forward', 'input-gradient', 'guided-gradient']));
    for (const b of stats.builds) expect(b.createMs).toBeGreaterThan(0);
    expect(stats.runs['forward']!.calls).toBeGreaterThanOrEqual(2);
    expect(stats.threads).toBe(2);
  });

  it('handles an empty batch', async () => {
    const empty = makeBatch(new Float32Array(0), [0, 3, 64, 64]);
    const logits = await model.predict(empty);
    expect(logits.shape).toEqual([0, 2]);
    const result = await model.layerGradients(empty, [], ['mixed1']);
    expect(result.gradients['mixed1']!.shape).toEqual([0, 20, 16, 16]);
  });
});

describe('batching', () => {
  it('gives the same results one image at a time, batched, and in sub-batches under a tiny budget', async () => {
    const whole = await loadOnnxModel(tinyInceptionPath, { threads: 2 });
    const tiny = await loadOnnxModel(tinyInceptionPath, { threads: 2, memoryBudgetMiB: 0.01 });
    try {
      const a = await whole.inputGradients(images, targets);
      const b = await tiny.inputGradients(images, targets);
      expect(tiny.stats().batching['input-gradient@64x64']!.subBatch).toBe(1);
      expect(whole.stats().batching['input-gradient@64x64']!.subBatch).toBeGreaterThan(1);
      expect(Array.from(b.gradients.data)).toEqual(Array.from(a.gradients.data));
      expect(Array.from(b.logits.data)).toEqual(Array.from(a.logits.data));
      for (let i = 0; i < cases.length; i++) {
        const one = makeBatch(row(images, i).slice(), [1, 3, 64, 64]);
        const single = await whole.inputGradients(one, [targets[i]!]);
        expect(Array.from(single.gradients.data)).toEqual(Array.from(row(a.gradients, i)));
      }
      const la = await whole.layerGradients(images, targets, ['mixed1']);
      const lb = await tiny.layerGradients(images, targets, ['mixed1']);
      expect(Array.from(lb.gradients['mixed1']!.data)).toEqual(Array.from(la.gradients['mixed1']!.data));
      expect(Array.from(lb.activations['mixed1']!.data)).toEqual(Array.from(la.activations['mixed1']!.data));
      const ga = await whole.guidedGradients(images, targets);
      const gb = await tiny.guidedGradients(images, targets);
      expect(Array.from(gb.gradients.data)).toEqual(Array.from(ga.gradients.data));
    } finally {
      await whole.dispose();
      await tiny.dispose();
    }
  });

  it('releases least recently used sessions beyond maxSessions and rebuilds them on demand', async () => {
    const model = await loadOnnxModel(tinyInceptionPath, { threads: 1, maxSessions: 1 });
    try {
      const first = await model.predict(images);
      await model.inputGradients(images, targets);
      const again = await model.predict(images);
      expect(Array.from(again.data)).toEqual(Array.from(first.data));
      const stats = model.stats();
      expect(stats.liveSessions).toBe(1);
      expect(stats.evictions).toBe(2);
      expect(stats.builds.filter((b) => b.variant === 'forward')).toHaveLength(2);
    } finally {
      await model.dispose();
    }
  });
});
