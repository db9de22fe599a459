import { describe, expect, it } from 'vitest';
import { explainSuite, saliencyMethodIds, saliencyMethods } from '../../src/saliency/index.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';

const images = testImages(2);
const methodOptions = { smoothgrad: { samples: 2 }, 'smooth-ig': { samples: 2, steps: 3 }, xrai: { steps: 5 } };
const plain = (a: Float32Array): number[] => Array.from(a, (v) => v + 0);

describe('explainSuite', () => {
  it('gives the same maps as each method alone', async () => {
    const model = analyticModel();
    const suite = await explainSuite(model, images, { methodOptions });
    expect(Object.keys(suite).sort()).toEqual([...saliencyMethodIds].sort());
    for (const id of saliencyMethodIds) {
      const alone = await saliencyMethods[id].explain(model, images, (methodOptions as Record<string, Record<string, unknown>>)[id] ?? {});
      suite[id]!.forEach((m, i) => {
        expect(plain(m.raw.data), id).toEqual(plain(alone[i]!.raw.data));
        expect(plain(m.final.data), id).toEqual(plain(alone[i]!.final.data));
        expect(m.target).toBe(alone[i]!.target);
      });
    }
  });

  it('computes the gradient and the Grad-CAM layer values in one pass', async () => {
    const model = analyticModel();
    const shared = await explainSuite(model, images, { methods: ['gradient', 'grad-cam'] });
    expect(model.calls).toMatchObject({ inputGradients: 0, layerGradients: 1 });
    for (const id of ['gradient', 'grad-cam'] as const) {
      const alone = await saliencyMethods[id].explain(analyticModel(), images);
      shared[id]!.forEach((m, i) => expect(plain(m.raw.data), id).toEqual(plain(alone[i]!.raw.data)));
    }
  });

  it('shares the target pass and reuses guided backprop and Grad-CAM for Guided Grad-CAM', async () => {
    const model = analyticModel();
    await explainSuite(model, images, { methods: ['grad-cam', 'guided-backprop', 'guided-grad-cam'] });
    expect(model.calls).toMatchObject({ predict: 1, guidedGradients: 1, layerGradients: 1 });
  });
});
