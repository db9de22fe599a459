import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../src/core/batch.js';
import { UsageError } from '../../src/core/errors.js';
import {
  gradCam,
  gradient,
  guidedGradCam,
  integratedGradients,
  integrationNodes,
  saliencyErrorCodes,
  smooth,
  smoothgrad,
  smoothIg,
} from '../../src/saliency/index.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';

const model = analyticModel();
const images = testImages(3);

async function logitOf(batch: typeof images, target: number): Promise<Float64Array> {
  const logits = await model.predict(batch);
  return Float64Array.from({ length: batch.shape[0] }, (_, i) => logits.data[i * 3 + target]!);
}

describe('integrated gradients', () => {
  it('pair rule: alphas linspace(0, 1, steps) with equal weights', () => {
    const { alphas, weights } = integrationNodes(10, 'pair');
    expect(alphas[0]).toBe(0);
    expect(alphas[9]).toBe(1);
    expect(alphas[3]).toBeCloseTo(1 / 3, 15);
    expect(Array.from(weights).every((w) => w === 0.1)).toBe(true);
    const trap = integrationNodes(5, 'trapezoid');
    expect(Array.from(trap.weights)).toEqual([0.125, 0.25, 0.25, 0.25, 0.125]);
  });

  it('completeness: the trapezoid gap shrinks with steps and is < 1% at 200 steps', async () => {
    // Target 2 (sin) is curved along the path; target 1 (quadratic) has a linear gradient, which the
    // trapezoid rule integrates exactly at any step count.
    for (const target of [2]) {
      const fx = await logitOf(images, target);
      const baselineBatch = makeBatch(new Float32Array(images.data.length).fill(-1), images.shape);
      const fb = await logitOf(baselineBatch, target);
      const gaps: number[] = [];
      for (const steps of [5, 20, 200]) {
        const maps = await integratedGradients(model, images, { target, steps, baseline: -1, rule: 'trapezoid' });
        let worst = 0;
        maps.forEach((m, i) => {
          const sum = m.raw.data.reduce((s, v) => s + v, 0);
          worst = Math.max(worst, Math.abs(sum - (fx[i]! - fb[i]!)) / Math.abs(fx[i]! - fb[i]!));
        });
        gaps.push(worst);
      }
      expect(gaps[1]!).toBeLessThan(gaps[0]!);
      expect(gaps[2]!).toBeLessThan(gaps[1]!);
      expect(gaps[2]!).toBeLessThan(0.01);
    }
  });

  it('is exact for a linear logit with any rule', async () => {
    const maps = await integratedGradients(model, images, { target: 0, steps: 3, baseline: 'zero', rule: 'left' });
    const grads = await gradient(model, images, { target: 0 });
    maps.forEach((m, i) => {
      m.raw.data.forEach((v, k) => expect(v).toBeCloseTo(grads[i]!.raw.data[k]! * images.data[i * 768 + k]!, 6));
    });
  });

  it("'black' uses each image's minimum", async () => {
    const a = await integratedGradients(model, images, { target: 1, baseline: 'black' });
    for (let i = 0; i < 3; i++) {
      const min = Math.min(...images.data.subarray(i * 768, (i + 1) * 768));
      const b = await integratedGradients(model, makeBatch(images.data.slice(i * 768, (i + 1) * 768), [1, 3, 16, 16]), { target: 1, baseline: min });
      expect(Array.from(a[i]!.raw.data)).toEqual(Array.from(b[0]!.raw.data));
    }
  });
});

describe('smoothgrad', () => {
  it('with zero noise and one sample equals the squared gradient', async () => {
    const sg = await smoothgrad(model, images, { noiseFraction: 0, samples: 1 });
    const g = await gradient(model, images);
    sg.forEach((m, i) => {
      m.raw.data.forEach((v, k) => expect(v).toBeCloseTo(g[i]!.raw.data[k]! ** 2, 7));
    });
  });

  it('without magnitude, zero noise and one sample equals the method', async () => {
    const plain = smooth(integratedGradients, { id: 'smooth-ig-plain', name: 'plain' });
    const s = await plain(model, images, { noiseFraction: 0, samples: 1, magnitude: false });
    const ig = await integratedGradients(model, images);
    // +0 folds -0 into 0: averaging adds to a +0 accumulator.
    s.forEach((m, i) => expect(Array.from(m.raw.data, (v) => v + 0)).toEqual(Array.from(ig[i]!.raw.data, (v) => v + 0)));
  });

  it('seeded runs repeat exactly; another seed differs', async () => {
    const a = await smoothgrad(model, images, { samples: 4, seed: 7 });
    const b = await smoothgrad(model, images, { samples: 4, seed: 7 });
    const c = await smoothgrad(model, images, { samples: 4, seed: 8 });
    expect(Array.from(a[0]!.raw.data)).toEqual(Array.from(b[0]!.raw.data));
    expect(Array.from(a[0]!.raw.data)).not.toEqual(Array.from(c[0]!.raw.data));
    expect(a[0]!.seed).toBe(7);
  });

  it('common random numbers: the same image gets the same noise in any position and model', async () => {
    const other = analyticModel(3, 16, 16, 'other');
    const single = makeBatch(images.data.slice(2 * 768), [1, 3, 16, 16]);
    const a = await smoothgrad(model, images, { samples: 3, seed: 1, commonRandomNumbers: true, target: 2 });
    const b = await smoothgrad(other, single, { samples: 3, seed: 1, commonRandomNumbers: true, target: 2 });
    expect(Array.from(a[2]!.raw.data)).toEqual(Array.from(b[0]!.raw.data));
    const c = await smoothgrad(other, images, { samples: 3, seed: 1, commonRandomNumbers: false, target: 2 });
    expect(Array.from(a[2]!.raw.data)).not.toEqual(Array.from(c[2]!.raw.data));
  });
});

describe('grad-cam', () => {
  it('is non-negative, at most 1 and upsampled to the input size', async () => {
    for (const target of [0, 1, 2]) {
      const maps = await gradCam(model, images, { target });
      for (const m of maps) {
        expect(m.raw.shape).toEqual([1, 1, 16, 16]);
        expect(Math.min(...m.raw.data)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...m.raw.data)).toBeLessThanOrEqual(1 + 1e-6);
        expect(m.details?.layer).toBe('pool');
      }
    }
  });

  it('guided grad-cam is the product of the two grayscale maps', async () => {
    const maps = await guidedGradCam(model, images);
    for (const m of maps) {
      expect(Math.min(...m.raw.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...m.final.data)).toBeCloseTo(1, 6);
    }
  });

  it('names the missing layer', async () => {
    await expect(gradCam(model, images, { layer: 'nope' })).rejects.toMatchObject({ code: saliencyErrorCodes.noCamLayer });
  });
});

describe('options and targets', () => {
  it('rejects unknown options and bad targets with catalogue codes', async () => {
    await expect(gradient(model, images, { steps: 3 } as never)).rejects.toBeInstanceOf(UsageError);
    await expect(gradient(model, images, { steps: 3 } as never)).rejects.toMatchObject({ code: saliencyErrorCodes.unknownOption });
    await expect(gradient(model, images, { target: 5 })).rejects.toMatchObject({ code: saliencyErrorCodes.badTarget });
    await expect(gradient(model, images, { target: [0, 1] })).rejects.toMatchObject({ code: saliencyErrorCodes.badTarget });
    await expect(integratedGradients(model, images, { steps: 0 })).rejects.toMatchObject({ code: saliencyErrorCodes.badOption });
    await expect(smoothIg(model, images, { steps: 0 })).rejects.toMatchObject({ code: saliencyErrorCodes.badOption });
    await expect(gradient(model, makeBatch(new Float32Array(3 * 8 * 8), [1, 3, 8, 8]))).rejects.toMatchObject({ code: saliencyErrorCodes.badBatch });
  });

  it('explains the predicted class by default, or the given ones', async () => {
    const logits = await model.predict(images);
    const maps = await gradient(model, images);
    maps.forEach((m, i) => {
      const row = Array.from(logits.data.subarray(i * 3, i * 3 + 3));
      expect(m.target).toBe(row.indexOf(Math.max(...row)));
    });
    const given = await gradient(model, images, { target: [2, 0, 1] });
    expect(given.map((m) => m.target)).toEqual([2, 0, 1]);
  });

  it('records resolved options with defaults', async () => {
    const [m] = await smoothIg(model, images.data.length ? makeBatch(images.data.slice(0, 768), [1, 3, 16, 16]) : images, { samples: 2 });
    expect(m!.options).toMatchObject({ steps: 10, baseline: 'black', rule: 'pair', samples: 2, noiseFraction: 0.15, magnitude: true, seed: 0, target: 'predicted' });
    expect(m!.steps.map((s) => s.op)).toEqual(['abs', 'channel-sum', 'percentile-clip', 'min-max']);
  });
});
