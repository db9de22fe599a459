/**
 * The contract every registered method keeps, run over the whole registry on the analytic double: one
 * result per image with the right shapes and fields, final maps in [0, 1], options recorded, batching
 * and repetition not changing a single value, and catalogue errors for bad input.
 */
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../src/core/batch.js';
import { getSaliencyMethod, saliencyErrorCodes, saliencyMethodIds, saliencyMethods } from '../../src/saliency/index.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';

const model = analyticModel();
const images = testImages(3);
// Keep the stochastic methods quick; everything else runs at its defaults.
const fast: Record<string, Record<string, unknown>> = { smoothgrad: { samples: 3 }, 'smooth-ig': { samples: 2, steps: 4 } };
const plain = (a: Float32Array): number[] => Array.from(a, (v) => v + 0);

describe('saliency registry', () => {
  it('holds the eight methods of the paper, frozen, ids matching their info', () => {
    expect(saliencyMethodIds).toEqual(['gradient', 'smoothgrad', 'integrated-gradients', 'smooth-ig', 'grad-cam', 'guided-backprop', 'guided-grad-cam', 'xrai']);
    expect(Object.isFrozen(saliencyMethods)).toBe(true);
    for (const id of saliencyMethodIds) expect(saliencyMethods[id].info.id).toBe(id);
    expect(() => getSaliencyMethod('gradcam++')).toThrow(expect.objectContaining({ code: saliencyErrorCodes.unknownMethod }));
  });
});

describe.each(saliencyMethodIds)('contract: %s', (id) => {
  const { info, explain } = saliencyMethods[id];
  const options = fast[id] ?? {};

  it('returns one well-formed result per image', async () => {
    const maps = await explain(model, images, options);
    expect(maps).toHaveLength(3);
    maps.forEach((m) => {
      expect(m.method).toBe(id);
      const [n, c, h, w] = m.raw.shape;
      expect([n, h, w]).toEqual([1, 16, 16]);
      expect([1, 3]).toContain(c);
      expect(m.raw.data.length).toBe(c * h * w);
      expect([m.final.width, m.final.height]).toEqual([16, 16]);
      if (!m.degenerate) {
        for (const v of m.final.data) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }
      expect(m.milliseconds).toBeGreaterThanOrEqual(0);
      expect(m.steps.length).toBeGreaterThan(0);
      for (const key of Object.keys(info.defaults)) expect(m.options).toHaveProperty(key);
      expect(m.options.target).toBe('predicted');
      expect(m.seed).toBe(info.stochastic ? 0 : undefined);
    });
  });

  it('batched equals unbatched, and a repeated run is identical', async () => {
    const together = await explain(model, images, { ...options, batchSize: 32 });
    const oneByOne = await explain(model, images, { ...options, batchSize: 1 });
    const alone = await explain(model, makeBatch(images.data.slice(768, 1536), [1, 3, 16, 16]), options);
    const again = await explain(model, images, { ...options, batchSize: 32 });
    together.forEach((m, i) => {
      expect(plain(oneByOne[i]!.raw.data)).toEqual(plain(m.raw.data));
      expect(plain(again[i]!.raw.data)).toEqual(plain(m.raw.data));
      expect(plain(again[i]!.final.data)).toEqual(plain(m.final.data));
    });
    // Noise is keyed by the image's position unless common random numbers are on, so only deterministic
    // methods must give the same map for an image explained alone.
    if (!info.stochastic) expect(plain(alone[0]!.raw.data)).toEqual(plain(together[1]!.raw.data));
  });

  it('respects the batch size in every model call', async () => {
    const counting = analyticModel();
    await explain(counting, images, { ...options, batchSize: 2 });
    expect(counting.largestBatch()).toBeLessThanOrEqual(2);
  });

  it('explains the given class', async () => {
    const maps = await explain(model, images, { ...options, target: 2 });
    expect(maps.map((m) => m.target)).toEqual([2, 2, 2]);
  });

  it('refuses unknown options and mismatched batches with catalogue errors', async () => {
    await expect(explain(model, images, { ...options, noSuchOption: 1 })).rejects.toMatchObject({ code: saliencyErrorCodes.unknownOption });
    await expect(explain(model, makeBatch(new Float32Array(2 * 8 * 8), [1, 2, 8, 8]), options)).rejects.toMatchObject({ code: saliencyErrorCodes.badBatch });
  });
});

describe('single-channel models', () => {
  it('every method explains 1 x H x W inputs', async () => {
    const gray = analyticModel(1, 16, 16, 'gray');
    const batch = testImages(2, 1, 16, 16);
    for (const id of saliencyMethodIds) {
      const maps = await saliencyMethods[id].explain(gray, batch, fast[id] ?? {});
      expect(maps).toHaveLength(2);
      for (const m of maps) expect(m.raw.shape[1]).toBe(1);
    }
  });
});
