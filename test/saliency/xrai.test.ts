import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { createXraiSegmentCache, defaultXraiSegmentation, makeXrai, rankXraiRegions, xraiSegments } from '../../src/saliency/index.js';
import { xraiSegmentsAsync } from '../../src/saliency/xrai/segments.js';
import { analyticModel, testImages } from './helpers/analytic-model.js';

/** PAIR's `_xrai` loop written naively (recomputing every masked mean at every step), for comparison. */
function naiveXrai(attr: Float64Array, masks: boolean[][], areaThreshold: number, minPixelDiff: number): Float64Array {
  const n = attr.length;
  const out = new Float64Array(n).fill(-Infinity);
  const current = new Array<boolean>(n).fill(false);
  const remaining = new Map(masks.map((m, k) => [k, m]));
  let area = 0;
  while (area <= areaThreshold) {
    let best = -Infinity;
    let bestKey = -1;
    const drop: number[] = [];
    for (const [k, mask] of remaining) {
      let count = 0;
      let sum = 0;
      for (let p = 0; p < n; p++) {
        if (mask[p] && !current[p]) {
          count++;
          sum += attr[p]!;
        }
      }
      if (count < minPixelDiff) {
        drop.push(k);
        continue;
      }
      if (sum / count > best) {
        best = sum / count;
        bestKey = k;
      }
    }
    for (const k of drop) remaining.delete(k);
    if (remaining.size === 0) break;
    const mask = remaining.get(bestKey)!;
    for (let p = 0; p < n; p++) {
      if (mask[p] && !current[p]) out[p] = best;
      if (mask[p]) current[p] = true;
    }
    area = current.filter(Boolean).length / n;
    remaining.delete(bestKey);
  }
  let count = 0;
  let sum = 0;
  for (let p = 0; p < n; p++) {
    if (out[p] === -Infinity) {
      count++;
      sum += attr[p]!;
    }
  }
  for (let p = 0; p < n; p++) if (out[p] === -Infinity) out[p] = sum / count;
  return out;
}

function randomCase(seed: number, n: number, count: number) {
  const rng = createRng(seed);
  const attr = Float64Array.from({ length: n }, () => rng.normal() + 0.3 * rng.uniform());
  const masks = Array.from({ length: count }, () => {
    // Random intervals (overlapping), like dilated segments of several scales.
    const start = rng.int(n);
    const length = 1 + rng.int(Math.floor(n / 3));
    return Array.from({ length: n }, (_, p) => p >= start && p < start + length);
  });
  return { attr, masks };
}

describe('XRAI greedy ranking', () => {
  it('equals the naive PAIR loop on random overlapping masks', () => {
    for (const [seed, threshold, minDiff] of [[1, 1.0, 5], [2, 1.0, 1], [3, 0.4, 5], [4, 1.0, 20], [5, 0.7, 3]] as const) {
      const { attr, masks } = randomCase(seed, 300, 40);
      const sparse = masks.map((m) => Int32Array.from(m.flatMap((v, p) => (v ? [p] : []))));
      const ours = rankXraiRegions(attr, sparse, { areaThreshold: threshold, minPixelDiff: minDiff });
      const naive = naiveXrai(attr, masks, threshold, minDiff);
      ours.gains.forEach((g, p) => expect(g).toBeCloseTo(naive[p]!, 12));
    }
  });

  it('adds the densest region first, drops small additions and fills the rest with its mean', () => {
    const attr = Float64Array.from({ length: 10 }, (_, p) => (p < 4 ? 2 : p < 8 ? 1 : 0));
    const masks = [Int32Array.of(4, 5, 6, 7), Int32Array.of(0, 1, 2, 3), Int32Array.of(3, 4)];
    const r = rankXraiRegions(attr, masks, { areaThreshold: 1, minPixelDiff: 2 });
    expect(Array.from(r.gains)).toEqual([2, 2, 2, 2, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(r.ranks)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(r.regions.map((x) => x.mask)).toEqual([1, 0, -1]);
  });
});

describe('XRAI method', () => {
  it('segments each image once per cache and returns segments and IG on request', async () => {
    const model = analyticModel(3, 32, 32);
    const images = testImages(2, 3, 32, 32);
    const cache = createXraiSegmentCache(4);
    let misses = 0;
    const counting = { ...cache, get: (k: string) => { const hit = cache.get(k); if (!hit) misses++; return hit; } };
    const xrai = makeXrai(counting);
    const first = await xrai(model, images, { steps: 8, returnSegments: true, returnIg: true });
    await xrai(model, images, { steps: 8, target: 1 });
    expect(misses).toBe(2);
    const m = first[0]!;
    const segments = m.details!.segments as Int32Array;
    expect(segments.length).toBe(32 * 32);
    expect(Math.min(...segments)).toBe(1);
    // Rank 1 covers the pixels with the highest gain.
    let bestGain = -Infinity;
    for (const g of m.raw.data) bestGain = Math.max(bestGain, g);
    segments.forEach((s, p) => {
      if (s === 1) expect(m.raw.data[p]).toBe(bestGain);
    });
    expect((m.details!.ig as { shape: readonly number[] }).shape).toEqual([1, 3, 32, 32]);
  });

  it('builds six label maps and dilated masks covering the image', () => {
    const image = testImages(1, 3, 40, 30).data;
    const masks = xraiSegments(image, 3, 40, 30);
    expect(masks.labelMaps).toHaveLength(6);
    const covered = new Uint8Array(40 * 30);
    for (const mask of masks.masks) for (const p of mask) covered[p] = 1;
    expect(covered.every((v) => v === 1)).toBe(true);
    for (const mask of masks.masks) for (let i = 1; i < mask.length; i++) expect(mask[i]!).toBeGreaterThan(mask[i - 1]!);
  });

  it('segments the same when giving way between scales, pausing once after the graph and once per scale', async () => {
    const image = testImages(1, 3, 40, 30).data;
    let pauses = 0;
    const stepped = await xraiSegmentsAsync(image, 3, 40, 30, defaultXraiSegmentation, async () => {
      pauses++;
    });
    const whole = xraiSegments(image, 3, 40, 30);
    expect(pauses).toBe(1 + defaultXraiSegmentation.scales.length);
    expect(stepped.masks.map((m) => Array.from(m))).toEqual(whole.masks.map((m) => Array.from(m)));
    expect(stepped.labelMaps.map((m) => Array.from(m))).toEqual(whole.labelMaps.map((m) => Array.from(m)));
  });
});
