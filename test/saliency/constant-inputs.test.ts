/**
 * Constant images (integrated-gradient baselines at alpha 0) are explained once: the view returns exactly
 * what the model returns for every row, while sending each distinct (constant image, target) once.
 */
import { describe, expect, it } from 'vitest';
import { saliencyMethods } from '../../src/saliency/index.js';
import { shareConstantInputs } from '../../src/saliency/constant-inputs.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';
import { batchOf, counting, rowSize } from './helpers/counting.js';

const per = rowSize;

const images = testImages(2);
const imageA = images.data.slice(0, per);
const imageB = images.data.slice(per, 2 * per);
const constant = (v: number): Float32Array => new Float32Array(per).fill(v);

describe('shareConstantInputs', () => {
  it('gives every row exactly the model result, sending each constant image and target once', async () => {
    const plain = analyticModel();
    const { model, rows } = counting(analyticModel());
    const view = shareConstantInputs(model);
    const batch = batchOf([constant(-1), imageA, constant(-1), constant(0.5), imageB, constant(-1), constant(Number.NaN)]);
    const targets = [0, 1, 0, 2, 1, 1, 0];
    const expected = await plain.inputGradients(batch, targets);
    const first = await view.inputGradients(batch, targets);
    const again = await view.inputGradients(batch, targets);
    for (const got of [first, again]) {
      expect(Array.from(got.gradients.data)).toEqual(Array.from(expected.gradients.data));
      expect(Array.from(got.logits.data)).toEqual(Array.from(expected.logits.data));
      expect(got.gradients.shape).toEqual(expected.gradients.shape);
    }
    // First call: A, B, NaN (never shared), -1 for target 0, 0.5 for 2, -1 for 1. Second: A, B, NaN.
    expect(rows).toEqual([6, 3]);
  });

  it("passes 'predicted' and the other passes through", async () => {
    const { model, rows } = counting(analyticModel());
    const view = shareConstantInputs(model);
    const batch = batchOf([constant(-1), constant(-1)]);
    const result = await view.inputGradients(batch, 'predicted');
    expect(result.targets).toHaveLength(2);
    expect(rows).toEqual([2]);
  });

  it('Smooth IG computes the shared black baseline once per image and target', async () => {
    const { model, rows } = counting(analyticModel());
    await saliencyMethods['smooth-ig'].explain(model, images, { samples: 4, steps: 3, target: [0, 0] });
    // 2 images x 4 noisy copies x 3 path points, minus the 7 repeats of the one black image (both images
    // have minimum -1 and target 0).
    const sent = rows.reduce((a, b) => a + b, 0);
    const min = (k: number): number => Math.min(...images.data.subarray(k * per, (k + 1) * per));
    expect(min(0)).toBe(min(1));
    expect(sent).toBe(2 * 4 * 3 - 7);
  });
});
