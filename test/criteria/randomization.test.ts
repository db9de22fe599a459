import { describe, expect, it } from 'vitest';
import {
  criteriaStatisticsDefaults,
  evaluateRandomization,
  mapSsim,
  randomizationBaseline,
  sampleBaselinePairs,
  type BaselineOptions,
  type RandomizationInput,
} from '../../src/criteria/index.js';
import { ssim } from '../../src/metrics/index.js';
import { blobMap, noiseMap, ssimBox, SIZE } from './helpers.js';

const stats = { ...criteriaStatisticsDefaults, resamples: 200, alpha: 0.01 };
const arun: BaselineOptions = { scheme: 'arun2021', pairsPerImage: 50, pairs: 0, replicates: 'first', seed: 3 };
const uniform: BaselineOptions = { scheme: 'uniform', pairsPerImage: 50, pairs: 600, replicates: 'all', seed: 3 };

describe('baseline pair sampling', () => {
  it('repeats exactly with its seed and changes with it', () => {
    expect(sampleBaselinePairs(20, 3, uniform)).toEqual(sampleBaselinePairs(20, 3, uniform));
    expect(sampleBaselinePairs(20, 1, arun)).toEqual(sampleBaselinePairs(20, 1, arun));
    expect(sampleBaselinePairs(20, 1, { ...arun, seed: 4 })).not.toEqual(sampleBaselinePairs(20, 1, arun));
  });

  it('keeps the paper quirks in the arun2021 scheme: N x 50 pairs, distinct, never the last image, replicate 1', () => {
    const pairs = sampleBaselinePairs(10, 3, arun);
    expect(pairs).toHaveLength(500);
    expect(pairs.every((p) => p.a !== p.b && p.a < 9 && p.b < 9 && p.replicate === 0)).toBe(true);
    expect(new Set(pairs.map((p) => p.a)).size).toBe(9);
    expect(() => sampleBaselinePairs(2, 1, arun)).toThrow(/at least 3 images/);
  });

  it('draws uniform pairs over every image and spreads them over all replicates', () => {
    const pairs = sampleBaselinePairs(10, 3, uniform);
    expect(pairs).toHaveLength(600);
    expect(pairs.every((p) => p.a !== p.b)).toBe(true);
    expect(pairs.some((p) => p.a === 9 || p.b === 9)).toBe(true);
    expect(new Set(pairs.map((p) => p.replicate))).toEqual(new Set([0, 1, 2]));
    expect(new Set(sampleBaselinePairs(10, 3, { ...uniform, replicates: 'first' }).map((p) => p.replicate))).toEqual(new Set([0]));
  });
});

describe('randomizationBaseline', () => {
  const maps = Array.from({ length: 8 }, (_, i) => blobMap(4 + 3 * i, 16));
  it('is the mean SSIM over the sampled pairs', () => {
    const b = randomizationBaseline([maps], maps.length, { ...uniform, pairs: 40 }, ssimBox);
    const pairs = sampleBaselinePairs(maps.length, 1, { ...uniform, pairs: 40 });
    const expected = pairs.reduce((s, p) => s + ssim(maps[p.a]!.data, maps[p.b]!.data, { ...ssimBox, width: SIZE, height: SIZE }), 0) / 40;
    expect(b.value).toBeCloseTo(expected, 12);
    expect(b).toMatchObject({ pairs: 40, excluded: 0, scheme: 'uniform', replicatesUsed: 1 });
  });

  it('excludes and counts pairs with a degenerate (NaN) map, accepting a lookup function', () => {
    const nan = { data: new Float32Array(SIZE * SIZE).fill(NaN), width: SIZE, height: SIZE };
    const withNan = [...maps.slice(0, 7), nan];
    const b = randomizationBaseline([(i: number) => withNan[i]!], withNan.length, { ...uniform, pairs: 100 }, ssimBox);
    const expectedExcluded = sampleBaselinePairs(8, 1, { ...uniform, pairs: 100 }).filter((p) => p.a === 7 || p.b === 7).length;
    expect(b.excluded).toBe(expectedExcluded);
    expect(Number.isFinite(b.value)).toBe(true);
    expect(mapSsim(nan, maps[0]!, ssimBox)).toMatchObject({ ssim: NaN, degenerate: true });
  });
});

describe('evaluateRandomization', () => {
  const N = 10;
  const ids = Array.from({ length: N }, (_, i) => `img-${i}`);
  const trained = (r: number) => Array.from({ length: N }, (_, i) => blobMap(5 + 2 * i, 6 + 2 * i + r * 0.2, 3));
  const states = ['logits', 'block-2', 'block-1'];
  const ssimOf = (a: ReturnType<typeof blobMap>, b: ReturnType<typeof blobMap>) => mapSsim(a, b, ssimBox).ssim;

  function input(method: string, randomized: (r: number, k: number, i: number) => ReturnType<typeof blobMap>): RandomizationInput {
    const replicates = [0, 1, 2].map((r) => {
      const originals = trained(r);
      return { model: `rep-${r}`, ssim: states.map((_, k) => Float64Array.from(originals, (m, i) => ssimOf(m, randomized(r, k, i)))) };
    });
    return { method, imageIds: ids, states, replicates, baseline: randomizationBaseline([0, 1, 2].map(trained), N, { ...uniform, pairs: 200 }, ssimBox) };
  }

  it('passes maps that randomization turns into noise, fails maps that do not change', () => {
    const noisy = input('noisy', (r, k, i) => (k === 0 ? trained(r)[i]! : noiseMap(1000 * r + 100 * k + i)));
    const stubborn = input('stubborn', (r, _k, i) => trained(r)[i]!);
    const result = evaluateRandomization([noisy, stubborn], { rule: 'both', replicateSd: 'population', statistics: stats });
    const [n, s] = result.methods;
    expect(n!.curve[0]).toMatchObject({ state: 'original', mean: 1 });
    expect(n!.curve.map((p) => p.state)).toEqual(['original', ...states]);
    expect(n!.paperRule).toMatchObject({ pass: true, firstStateBelow: 'block-2' });
    expect(n!.test.significant).toBe(true);
    expect(n!.pass).toBe(true);
    expect(s!.curve.every((p) => p.mean === 1)).toBe(true);
    expect(s!.paperRule.pass).toBe(false);
    expect(s!.pass).toBe(false);
    expect(result.rule).toBe('randomization/both');
    expect(n!.test.family).toBe(2);
  });

  it('computes the curve as mean and SD over replicate means, NaN excluded', () => {
    const base = input('x', (r, k, i) => blobMap(5 + 2 * i + k + r, 6 + 2 * i, 3));
    (base.replicates[0]!.ssim[0] as Float64Array)[0] = NaN;
    const pop = evaluateRandomization([base], { rule: 'paper', replicateSd: 'population', statistics: stats }).methods[0]!;
    const sam = evaluateRandomization([base], { rule: 'paper', replicateSd: 'sample', statistics: stats }).methods[0]!;
    const point = pop.curve[1]!;
    const means = base.replicates.map((r) => {
      const v = Array.from(r.ssim[0]!).filter(Number.isFinite);
      return v.reduce((a, b) => a + b, 0) / v.length;
    });
    const m = means.reduce((a, b) => a + b, 0) / 3;
    expect(point.mean).toBeCloseTo(m, 12);
    expect(point.excluded).toBe(1);
    expect(point.sd).toBeCloseTo(Math.sqrt(means.reduce((a, v) => a + (v - m) ** 2, 0) / 3), 12);
    expect(sam.curve[1]!.sd).toBeCloseTo(Math.sqrt(means.reduce((a, v) => a + (v - m) ** 2, 0) / 2), 12);
  });
});
