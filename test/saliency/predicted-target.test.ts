/**
 * Methods whose first pass runs on the images (gradient, guided backprop, Grad-CAM, Guided Grad-CAM)
 * explaining the predicted class take it from that pass: no forward pass first, the same maps and targets
 * as with the classes given explicitly. Methods whose passes run on other inputs (noisy copies, path
 * points) still predict on the clean image first.
 */
import { describe, expect, it } from 'vitest';
import { argmaxRows } from '../../src/core/batch.js';
import { saliencyMethods } from '../../src/saliency/index.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';

const images = testImages(6);
const plain = (a: Float32Array): number[] => Array.from(a, (v) => v + 0);

describe("'predicted' target", () => {
  it('uses images predicted as more than one class', async () => {
    expect(new Set(argmaxRows(await analyticModel().predict(images))).size).toBeGreaterThan(1);
  });

  it('first-pass methods: no forward pass, one pass per chunk and kind, the same maps and targets as explicit classes', async () => {
    const predicted = Array.from(argmaxRows(await analyticModel().predict(images)));
    for (const id of ['gradient', 'guided-backprop', 'grad-cam', 'guided-grad-cam'] as const) {
      const model = analyticModel();
      const own = await saliencyMethods[id].explain(model, images, { batchSize: 4 });
      expect(model.calls.predict, id).toBe(0);
      expect(model.calls.inputGradients + model.calls.guidedGradients + model.calls.layerGradients, id).toBe(id === 'guided-grad-cam' ? 4 : 2);
      const given = await saliencyMethods[id].explain(analyticModel(), images, { target: predicted, batchSize: 4 });
      expect(own.map((m) => m.target), id).toEqual(predicted);
      own.forEach((m, i) => {
        expect(plain(m.raw.data), id).toEqual(plain(given[i]!.raw.data));
        expect(plain(m.final.data), id).toEqual(plain(given[i]!.final.data));
      });
    }
  });

  it('methods whose passes run on noisy copies or path points predict on the clean image first', async () => {
    for (const id of ['smoothgrad', 'integrated-gradients', 'smooth-ig', 'xrai'] as const) {
      const model = analyticModel();
      await saliencyMethods[id].explain(model, images, id === 'smoothgrad' || id === 'smooth-ig' ? { samples: 2 } : id === 'xrai' ? { steps: 3 } : {});
      expect(model.calls.predict, id).toBe(1);
    }
  });
});
