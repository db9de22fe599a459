/**
 * Input gradients of images a later method evaluates again are kept and reused: the view returns exactly
 * what the model returns for every row, sends each kept (image, target) once, and keeps nothing when off
 * or out of memory; a suite sends exactly the passes the paper's methods repeat once.
 */
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.js';
import type { ExplainableModel } from '../../src/core/types.js';
import { explainSuite } from '../../src/saliency/index.js';
import { shareRepeatedInputs } from '../../src/saliency/repeated-inputs.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';
import { batchOf, counting, rowSize } from './helpers/counting.js';

const per = rowSize;

const images = testImages(3);
const [a, b, c] = [0, 1, 2].map((k) => images.data.slice(k * per, (k + 1) * per)) as [Float32Array, Float32Array, Float32Array];
const nudged = a.slice();
nudged[100] = Math.fround(nudged[100]! + 1e-6); // one value one step away: a different image

async function expectSameAsModel(view: ExplainableModel, batch: Batch, targets: number[]): Promise<void> {
  const expected = await analyticModel().inputGradients(batch, targets);
  const got = await view.inputGradients(batch, targets);
  expect(Array.from(got.gradients.data)).toEqual(Array.from(expected.gradients.data));
  expect(Array.from(got.logits.data)).toEqual(Array.from(expected.logits.data));
  expect(got.gradients.shape).toEqual(expected.gradients.shape);
}

describe('shareRepeatedInputs', () => {
  it('gives every row exactly the model result and sends a kept image and target once', async () => {
    const { model, rows } = counting(analyticModel());
    const shared = shareRepeatedInputs(model);
    shared.keep(true);
    // a twice in one call (sent once), b.
    await expectSameAsModel(shared.model, batchOf([a, b, a]), [0, 1, 0]);
    shared.keep(false);
    // a/0 and b/1 kept; a/2 (other target), the nudged a and c are not.
    await expectSameAsModel(shared.model, batchOf([c, a, b, a, nudged]), [0, 0, 1, 2, 0]);
    expect(rows).toEqual([2, 3]);
    expect(shared.stats()).toMatchObject({ reused: 2, computed: 5 });
    // Rows computed while not keeping were not kept.
    await expectSameAsModel(shared.model, batchOf([c]), [0]);
    expect(rows).toEqual([2, 3, 1]);
    shared.clear();
    expect(shared.stats().keptBytes).toBe(0);
    await expectSameAsModel(shared.model, batchOf([a]), [0]);
    expect(rows).toEqual([2, 3, 1, 1]);
  });

  it('keeps nothing beyond its memory bound', async () => {
    const { model, rows } = counting(analyticModel());
    const rowBytes = per * 4 + 3 * 4;
    const shared = shareRepeatedInputs(model, rowBytes);
    shared.keep(true);
    await shared.model.inputGradients(batchOf([a, b]), [0, 0]);
    expect(shared.stats().keptBytes).toBe(rowBytes);
    await expectSameAsModel(shared.model, batchOf([a, b]), [0, 0]);
    expect(rows).toEqual([2, 1]);
  });

  it("passes 'predicted' through", async () => {
    const { model, rows } = counting(analyticModel());
    const shared = shareRepeatedInputs(model);
    shared.keep(true);
    const result = await shared.model.inputGradients(batchOf([a, a]), 'predicted');
    expect(result.targets).toHaveLength(2);
    expect(rows).toEqual([2]);
    expect(shared.stats().keptBytes).toBe(0);
  });
});

describe('explainSuite reuses repeated passes', () => {
  it("sends Smooth IG's path ends and XRAI's points on IG's path once, with the same maps", async () => {
    const two = testImages(2);
    const methods = ['smoothgrad', 'integrated-gradients', 'smooth-ig', 'xrai'] as const;
    const methodOptions = { smoothgrad: { samples: 3 }, 'smooth-ig': { samples: 3, steps: 4 } }; // IG 10 steps, XRAI 100
    const run = async (keptPassBytes?: number): Promise<{ sent: number; maps: Record<string, number[][]> }> => {
      const { model, rows } = counting(analyticModel());
      const results = await explainSuite(model, two, { methods: [...methods], methodOptions, target: [0, 1], ...(keptPassBytes === undefined ? {} : { keptPassBytes }) });
      const maps = Object.fromEntries(methods.map((id) => [id, results[id]!.map((r) => Array.from(r.raw.data, (v) => v + 0))]));
      return { sent: rows.reduce((s, r) => s + r, 0), maps };
    };
    const without = await run(0);
    const withKept = await run();
    expect(withKept.maps).toEqual(without.maps);
    // Per image: 3 Smooth IG path ends (SmoothGrad's noisy copies), IG's 9 points after alpha 0 on XRAI's
    // black path (the last is the image), and the image again at the end of XRAI's white path.
    expect(without.sent - withKept.sent).toBe(2 * (3 + 9 + 1));
  });

  it('refuses a memory bound that is not a number of bytes', async () => {
    for (const keptPassBytes of [-1, Number.NaN]) {
      await expect(explainSuite(analyticModel(), testImages(1), { methods: ['gradient'], keptPassBytes })).rejects.toThrow(/keptPassBytes/);
    }
  });
});
