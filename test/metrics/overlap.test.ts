import { describe, expect, it } from 'vitest';
import {
  binarize,
  dice,
  energyInside,
  hitRate,
  iou,
  otsuThreshold,
  pearson,
  spearman,
  thresholdMask,
  topPercentMask,
} from '../../src/metrics/index.js';
import { metricsErrorCodes } from '../../src/metrics/messages.js';
import { createRng } from '../../src/core/rng.js';

const rng = createRng(21);
const n = 400;
const a = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
const b = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));

describe('iou and dice', () => {
  it('match set definitions and the identity dice = 2 iou / (1 + iou)', () => {
    const sa = new Set([...a.keys()].filter((i) => a[i]));
    const sb = new Set([...b.keys()].filter((i) => b[i]));
    const inter = [...sa].filter((i) => sb.has(i)).length;
    const union = new Set([...sa, ...sb]).size;
    expect(iou(a, b)).toBe(inter / union);
    expect(dice(a, b)).toBe((2 * inter) / (sa.size + sb.size));
    const j = iou(a, b);
    expect(dice(a, b)).toBeCloseTo((2 * j) / (1 + j), 14);
    expect(iou(a, a)).toBe(1);
    expect(dice(a, b)).toBe(dice(b, a));
  });
  it('two empty masks are undefined: an error or NaN on request', () => {
    const empty = new Uint8Array(5);
    expect(() => iou(empty, empty)).toThrow(expect.objectContaining({ code: metricsErrorCodes.noPositives }));
    expect(dice(empty, empty, { onNoPositives: 'nan' })).toBeNaN();
  });
});

describe('thresholds', () => {
  const values = Float64Array.from({ length: 3000 }, (_, i) => (i % 2 ? 0.7 + 0.2 * rng.uniform() : 0.1 + 0.3 * rng.uniform()));
  /** Otsu by its definition: the bin centre of largest between-class variance of the 256-bin histogram. */
  function bruteOtsu(v: Float64Array, bins = 256): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    const width = (hi - lo) / bins;
    const centers = Array.from({ length: bins }, (_, k) => lo + (k + 0.5) * width);
    const counts = new Array<number>(bins).fill(0);
    for (const x of v) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]!++;
    let best = -1;
    let bestK = 0;
    for (let k = 0; k < bins - 1; k++) {
      let w1 = 0, s1 = 0, w2 = 0, s2 = 0;
      for (let j = 0; j <= k; j++) { w1 += counts[j]!; s1 += counts[j]! * centers[j]!; }
      for (let j = k + 1; j < bins; j++) { w2 += counts[j]!; s2 += counts[j]! * centers[j]!; }
      const between = w1 * w2 * (s1 / w1 - s2 / w2) ** 2;
      if (between > best * (1 + 1e-12)) { best = between; bestK = k; }
    }
    return centers[bestK]!;
  }
  it('otsu matches the between-class-variance definition and separates two modes', () => {
    const t = otsuThreshold(values);
    expect(t).toBeCloseTo(bruteOtsu(values), 9);
    expect(t).toBeGreaterThan(0.4);
    expect(t).toBeLessThan(0.7);
    expect(otsuThreshold(new Float32Array(10).fill(0.3))).toBeCloseTo(0.3, 7);
  });
  it('fixed thresholds keep pixels strictly above; top-percent keeps ties at the boundary', () => {
    expect([...thresholdMask([0.1, 0.5, 0.9], 0.5)]).toEqual([0, 0, 1]);
    const ramp = Float64Array.from({ length: 200 }, (_, i) => i);
    expect(topPercentMask(ramp, 10).reduce((s, v) => s + v, 0)).toBe(20);
    const tied = [5, 5, 5, 1, 0];
    expect([...topPercentMask(tied, 20)]).toEqual([1, 1, 1, 0, 0]);
    const otsu = binarize(values, { method: 'otsu' });
    expect([...otsu.mask]).toEqual([...thresholdMask(values, otsu.threshold)]);
    expect(() => topPercentMask(ramp, 0)).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
  });
});

describe('hitRate (pointing game)', () => {
  const width = 6;
  const height = 5;
  const mask = new Uint8Array(width * height);
  mask[2 * width + 2] = 1;
  it('is 1 when the single maximum is inside and 0 when outside', () => {
    const map = new Float32Array(width * height);
    map[2 * width + 2] = 1;
    expect(hitRate(map, mask)).toBe(1);
    map[2 * width + 2] = 0;
    map[0] = 1;
    expect(hitRate(map, mask)).toBe(0);
  });
  it('handles tied maxima per the ties option', () => {
    const map = new Float32Array(width * height);
    map[0] = 1;
    map[2 * width + 2] = 1;
    map[4 * width + 5] = 1;
    expect(hitRate(map, mask)).toBeCloseTo(1 / 3, 15);
    expect(hitRate(map, mask, { ties: 'any' })).toBe(1);
    expect(hitRate(map, mask, { ties: 'all' })).toBe(0);
    expect(hitRate(map, mask, { ties: 'first' })).toBe(0);
  });
  it('counts a maximum within the tolerance radius as a hit', () => {
    const map = new Float32Array(width * height);
    map[2 * width + 4] = 1; // two pixels right of the positive
    expect(hitRate(map, mask)).toBe(0);
    expect(hitRate(map, mask, { tolerance: 1.5, width, height })).toBe(0);
    expect(hitRate(map, mask, { tolerance: 2, width, height })).toBe(1);
    expect(() => hitRate(map, mask, { tolerance: 2 })).toThrow(expect.objectContaining({ code: metricsErrorCodes.mapSize }));
  });
  it('an empty mask is an error or NaN', () => {
    const map = new Float32Array(4).fill(1);
    expect(() => hitRate(map, new Uint8Array(4))).toThrow(expect.objectContaining({ code: metricsErrorCodes.noPositives }));
    expect(hitRate(map, new Uint8Array(4), { onNoPositives: 'nan' })).toBeNaN();
  });
});

describe('energyInside', () => {
  it('is the share of the map sum inside the mask', () => {
    expect(energyInside([1, 2, 3, 4], [0, 1, 0, 1])).toBeCloseTo(6 / 10, 15);
    expect(() => energyInside([0, 0], [1, 0])).toThrow(expect.objectContaining({ code: metricsErrorCodes.zeroMap }));
    expect(energyInside([0, 0], [1, 0], { onZeroMap: 'nan' })).toBeNaN();
    expect(() => energyInside([-1, 2], [1, 0])).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
  });
});

describe('spearman', () => {
  const x = Float64Array.from({ length: 300 }, () => Math.round(rng.normal() * 4) / 4);
  const y = Float64Array.from(x, (v) => v + rng.normal());
  it('is Pearson of average ranks, invariant to monotone transforms, +-1 for monotone relations', () => {
    const rank = (v: Float64Array) => Float64Array.from(v, (e) => {
      let less = 0, equal = 0;
      for (const o of v) { if (o < e) less++; else if (o === e) equal++; }
      return less + (equal + 1) / 2;
    });
    expect(spearman(x, y)).toBeCloseTo(pearson(rank(x), rank(y)), 12);
    expect(spearman(x.map(Math.exp), y.map((v) => v ** 3))).toBeCloseTo(spearman(x, y), 12);
    const ramp = Float64Array.from({ length: 50 }, (_, i) => i);
    expect(spearman(ramp, ramp.map((v) => v * v))).toBeCloseTo(1, 14);
    expect(spearman(ramp, ramp.map((v) => -Math.exp(v / 10)))).toBeCloseTo(-1, 14);
    expect(() => spearman(ramp, new Float64Array(50))).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
    expect(spearman(ramp, new Float64Array(50), { onConstant: 'nan' })).toBeNaN();
  });
});
