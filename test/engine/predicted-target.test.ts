/**
 * `'predicted'` targets: each row explains its own arg-max class, taken from the same pass's logits. On a
 * seeded small CNN whose rows are predicted as both classes: the classes equal the arg-max of `predict`,
 * the gradients equal those of an explicit-target pass, sub-batches change nothing, and no forward pass
 * is run for the prediction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows, type Batch, makeBatch } from '../../src/core/batch.js';
import { loadOnnxModel, type OnnxModel } from '../../src/engine/index.js';
import { encodeModel } from '../../src/graph/onnx-io.js';
import { buildArchitecture } from '../../src/models/index.js';
import { relativeError } from '../helpers/saliency-oracle.js';

const bytes = encodeModel(buildArchitecture('small-cnn', { inputSize: 32, seed: 3 }).model);
const per = 32 * 32;
const images: Batch = makeBatch(
  Float32Array.from({ length: 8 * per }, (_, k) => Math.sin((k % per) * (0.01 + 0.37 * Math.floor(k / per)) + Math.floor(k / per))),
  [8, 1, 32, 32],
);
const layer = 'block5';

describe("engine: 'predicted' targets from the pass itself", () => {
  let model: OnnxModel;
  let predicted: Int32Array;
  beforeAll(async () => {
    model = await loadOnnxModel(bytes, { threads: 2 });
    predicted = argmaxRows(await model.predict(images));
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('uses a batch whose rows are predicted as different classes', () => {
    expect(new Set(predicted).size).toBe(2);
  });

  it('input and guided gradients: the arg-max classes and the explicit-target gradients', async () => {
    for (const pass of ['inputGradients', 'guidedGradients'] as const) {
      const own = await model[pass](images, 'predicted');
      const given = await model[pass](images, predicted);
      expect(Array.from(own.targets!)).toEqual(Array.from(predicted));
      expect(given.targets).toBeUndefined();
      expect(relativeError(own.gradients.data, given.gradients.data)).toBeLessThan(1e-6);
      expect(relativeError(own.logits.data, given.logits.data)).toBeLessThan(1e-6);
    }
  });

  it('layer gradients, with and without the input gradient', async () => {
    for (const inputGradient of [false, true]) {
      const own = await model.layerGradients(images, 'predicted', [layer], { inputGradient });
      const given = await model.layerGradients(images, predicted, [layer], { inputGradient });
      expect(Array.from(own.targets!)).toEqual(Array.from(predicted));
      expect(relativeError(own.gradients[layer]!.data, given.gradients[layer]!.data)).toBeLessThan(1e-6);
      expect(relativeError(own.activations[layer]!.data, given.activations[layer]!.data)).toBeLessThan(1e-6);
      if (inputGradient) expect(relativeError(own.inputGradients!.data, given.inputGradients!.data)).toBeLessThan(1e-6);
    }
  });

  it('runs one pass per sub-batch and no forward pass, with the same results in sub-batches', async () => {
    // One lane, so the sub-batches are exactly the budget's (lanes round their number up to a multiple).
    const fresh = await loadOnnxModel(bytes, { threads: 2, lanes: 1, maxBatch: 3 });
    try {
      const split = await fresh.inputGradients(images, 'predicted');
      const whole = await model.inputGradients(images, 'predicted');
      expect(Array.from(split.targets!)).toEqual(Array.from(whole.targets!));
      expect(relativeError(split.gradients.data, whole.gradients.data)).toBeLessThan(1e-6);
      const runs = fresh.stats().runs;
      expect(Object.keys(runs)).toEqual(['input-gradient+predicted']);
      expect(runs['input-gradient+predicted']!.calls).toBe(Math.ceil(images.shape[0] / 3));
    } finally {
      await fresh.dispose();
    }
  });
});
