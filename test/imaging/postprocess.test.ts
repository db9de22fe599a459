import { describe, expect, it } from 'vitest';
import {
  mapErrorCodes,
  minMaxNormalize,
  percentile,
  percentileClip,
  postprocessMap,
  postprocessPresets,
  reduceChannels,
  rawMapFromBatch,
} from '../../src/imaging/index.js';
import { makeBatch } from '../../src/core/batch.js';
import { createRng } from '../../src/core/rng.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

type Encoded = { dtype: string; shape: number[]; b64: string };
interface PostprocessCase {
  name: string;
  raw: Encoded;
  percentile99: number;
  grayscale: Encoded;
  final: Encoded;
}
const oracle = readOracleJson<{ about: string; cases: PostprocessCase[] }>('postprocess.json');

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('postprocessMap against the numpy reference (oracle)', () => {
  it('has cases', () => expect(oracle.cases.length).toBeGreaterThan(2));
  for (const c of oracle.cases) {
    it(c.name, () => {
      const raw = decodeArray(c.raw);
      const [height, width, channels] = raw.shape as [number, number, number];
      const input = { data: raw.data as Float32Array, width, height, channels, layout: 'hwc' as const };
      // Step by step.
      const summed = reduceChannels(input);
      expect(Math.abs(percentile(summed.data, 99) - c.percentile99)).toBeLessThanOrEqual(1e-6 * c.percentile99);
      const gray = percentileClip(summed);
      expect(maxAbsDiff(gray.map.data, decodeArray(c.grayscale).data)).toBeLessThanOrEqual(1e-6);
      // The whole pipeline, and its record.
      const result = postprocessMap(input);
      expect(result.degenerate).toBe(false);
      expect(maxAbsDiff(result.map.data, decodeArray(c.final).data)).toBeLessThanOrEqual(1e-6);
      expect(result.steps.map((s) => s.op)).toEqual(['abs', 'channel-sum', 'percentile-clip', 'min-max']);
      expect(result.steps[2]!.options!.high).toBeCloseTo(c.percentile99, 6);
      // The same data planar (CHW) gives the same map.
      const chw = new Float32Array(raw.data.length);
      for (let p = 0; p < width * height; p++) for (let k = 0; k < channels; k++) chw[k * width * height + p] = raw.data[p * channels + k]!;
      const planar = postprocessMap({ data: chw, width, height, channels });
      expect(maxAbsDiff(planar.map.data, result.map.data)).toBe(0);
    });
  }
});

interface SaliencyCase {
  name: string;
  gradient_nchw: Encoded;
  integrated_gradients_nchw: Encoded;
  guided_backprop_nchw: Encoded;
  gradcam_upsampled: Encoded;
  final_maps: Record<string, Encoded>;
}
const saliency = readOracleJson<{ cases: SaliencyCase[] }>('saliency/saliency.json');

describe('final maps of the saliency oracle', () => {
  for (const c of saliency.cases) {
    it(`${c.name}: gradient, IG, guided backprop, Grad-CAM and guided Grad-CAM`, () => {
      const toRaw = (e: Encoded) => {
        const d = decodeArray(e);
        const [channels, height, width] = d.shape as [number, number, number];
        return { data: d.data as Float32Array, width, height, channels };
      };
      for (const method of ['gradient', 'integrated_gradients', 'guided_backprop'] as const) {
        const result = postprocessMap(toRaw(c[`${method}_nchw`]));
        expect(maxAbsDiff(result.map.data, decodeArray(c.final_maps[method]!).data), method).toBeLessThanOrEqual(1e-6);
      }
      const cam = decodeArray(c.gradcam_upsampled);
      const camMap = { data: cam.data as Float32Array, width: cam.shape[1]!, height: cam.shape[0]! };
      const gradcam = postprocessMap(camMap);
      expect(maxAbsDiff(gradcam.map.data, decodeArray(c.final_maps.gradcam!).data)).toBeLessThanOrEqual(1e-6);
      // Guided Grad-CAM composes the steps: grayscale(GBP) x grayscale(Grad-CAM), then min-max.
      const gbpGray = percentileClip(reduceChannels(toRaw(c.guided_backprop_nchw))).map;
      const camGray = percentileClip(reduceChannels({ ...camMap, channels: 1 })).map;
      const product = { ...camMap, data: gbpGray.data.map((v, i) => v * camGray.data[i]!) };
      expect(maxAbsDiff(minMaxNormalize(product).map.data, decodeArray(c.final_maps.guided_gradcam!).data)).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe('percentile', () => {
  /** numpy's linear percentile by its definition, on a full sort. */
  function sortedPercentile(values: ArrayLike<number>, q: number): number {
    const s = Float64Array.from(values).sort();
    const pos = (q / 100) * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, s.length - 1);
    return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  }
  it('equals interpolation between order statistics, with ties, duplicates and extremes', () => {
    const rng = createRng(9);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const values = Float64Array.from({ length: n }, () => Math.round(rng.uniform() * 20) / 4);
      for (const q of [0, 1, 25, 50, 90, 99, 99.9, 100]) {
        expect(percentile(values, q)).toBeCloseTo(sortedPercentile(values, q), 12);
      }
    }
  });
  it('rejects NaN and out-of-range q', () => {
    expect(() => percentile([1, NaN], 50)).toThrow(expect.objectContaining({ code: mapErrorCodes.notFinite }));
    expect(() => percentile([1, 2], 101)).toThrow(expect.objectContaining({ code: mapErrorCodes.badOption }));
  });
});

describe('variants and degenerate maps', () => {
  const width = 8;
  const height = 6;
  const rng = createRng(4);
  const data = Float32Array.from({ length: 3 * width * height }, () => rng.normal());
  const raw = { data, width, height, channels: 3 };

  it('every variant ends in [0, 1] with its extremes reached and records its steps', () => {
    for (const [name, preset] of Object.entries(postprocessPresets)) {
      const r = postprocessMap(raw, preset);
      const values = Array.from(r.map.data);
      expect(Math.min(...values), name).toBe(0);
      expect(Math.max(...values), name).toBe(1);
      expect(r.steps.at(-1)!.op).toBe('min-max');
    }
    // The clip alone must reach exactly 0 and 1 (postprocessMap relies on it to skip a min-max pass).
    for (let seed = 0; seed < 20; seed++) {
      const g = createRng(seed);
      const size = 10 + g.int(60);
      const map = { data: Float32Array.from({ length: size * size }, () => Math.exp(3 * g.normal())), width: size, height: size };
      const clipped = Array.from(percentileClip(map).map.data);
      expect([Math.min(...clipped), Math.max(...clipped)]).toEqual([0, 1]);
    }
    expect(postprocessMap(raw, postprocessPresets.noClip).steps.map((s) => s.op)).toEqual(['abs', 'channel-sum', 'min-max']);
    expect(postprocessMap(raw, postprocessPresets.signed).steps.map((s) => s.op)).toEqual(['channel-sum', 'min-max']);
  });
  it('sign modes and channel reductions follow their definitions', () => {
    const p = 5;
    const values = [data[p]!, data[width * height + p]!, data[2 * width * height + p]!];
    const expectAt = (options: Parameters<typeof reduceChannels>[1], expected: number) => expect(reduceChannels(raw, options).data[p]).toBeCloseTo(expected, 5);
    expectAt({ sign: 'abs', reduce: 'sum' }, values.reduce((s, v) => s + Math.abs(v), 0));
    expectAt({ sign: 'positive', reduce: 'sum' }, values.reduce((s, v) => s + Math.max(v, 0), 0));
    expectAt({ sign: 'signed', reduce: 'max' }, Math.max(...values));
    expectAt({ sign: 'signed', reduce: 'mean' }, values.reduce((s, v) => s + v, 0) / 3);
  });
  it('a constant map is degenerate: NaN by default (the paper), zeros on request', () => {
    const zero = { data: new Float32Array(3 * width * height), width, height, channels: 3 };
    const r = postprocessMap(zero);
    expect(r.degenerate).toBe(true);
    expect(r.degenerateReason).toBeTruthy();
    expect(Array.from(r.map.data).every(Number.isNaN)).toBe(true);
    const z = postprocessMap(zero, { degenerate: 'zeros' });
    expect(Array.from(z.map.data).every((v) => v === 0)).toBe(true);
    expect(z.steps.at(-1)).toEqual({ op: 'degenerate', options: { policy: 'zeros', reason: z.degenerateReason } });
  });
  it('a map whose 99th percentile equals its minimum is degenerate, as in the paper (all NaN)', () => {
    const sparse = new Float32Array(1000);
    sparse[3] = 1;
    const r = postprocessMap({ data: sparse, width: 100, height: 10 });
    expect(r.degenerate).toBe(true);
    expect(Array.from(r.map.data).every(Number.isNaN)).toBe(true);
    // Without the clip the same map normalises fine.
    expect(postprocessMap({ data: sparse, width: 100, height: 10 }, { clipPercentile: null }).degenerate).toBe(false);
  });
  it('reads items of an NCHW batch without copying and rejects bad shapes', () => {
    const batch = makeBatch(new Float32Array(2 * 3 * 4 * 5).map((_, i) => i), [2, 3, 4, 5]);
    const item = rawMapFromBatch(batch, 1);
    expect(item.data[0]).toBe(60);
    expect(item.data.buffer).toBe(batch.data.buffer);
    expect(() => postprocessMap({ data: new Float32Array(10), width: 3, height: 3, channels: 1 })).toThrow(expect.objectContaining({ code: mapErrorCodes.shape }));
    expect(() => postprocessMap(raw, { clipPercentile: 0 })).toThrow(expect.objectContaining({ code: mapErrorCodes.badOption }));
    const bad = data.slice();
    bad[7] = Infinity;
    expect(() => postprocessMap({ ...raw, data: bad })).toThrow(expect.objectContaining({ code: mapErrorCodes.notFinite }));
  });
});
