import { describe, expect, it } from 'vitest';
import { felzenszwalb, felzenszwalbGraph, gaussianKernel, numpyArgsort, segmentGraph } from '../../src/imaging/felzenszwalb.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';
import { adjustedRandIndex } from '../saliency/helpers/stats.js';

interface Encoded {
  dtype: string;
  shape: number[];
  b64: string;
}
interface FelzenszwalbOracle {
  cases: {
    name: string;
    normalized_resized_224_hwc: Encoded;
    felzenszwalb: { scale: number; labels: Encoded; n_segments: number }[];
  }[];
}

const oracle = readOracleJson<FelzenszwalbOracle>('felzenszwalb.json');

describe('felzenszwalb (scikit-image oracle)', () => {
  for (const c of oracle.cases) {
    it(`${c.name}: identical partitions at every scale`, () => {
      const img = decodeArray(c.normalized_resized_224_hwc);
      const [height, width, channels] = img.shape as [number, number, number];
      const graph = felzenszwalbGraph({ data: img.data, width, height, channels }, 0.8);
      for (const s of c.felzenszwalb) {
        const expected = decodeArray(s.labels).data;
        const seg = segmentGraph(graph, s.scale, 150);
        const ari = adjustedRandIndex(seg.labels, expected);
        expect(ari, `scale ${s.scale}`).toBeGreaterThanOrEqual(0.99);
        expect(seg.count, `scale ${s.scale}`).toBe(s.n_segments);
        // Labels are numbered by first appearance in raster order, as scikit-image numbers them.
        expect(Array.from(seg.labels)).toEqual(Array.from(expected));
      }
    });
  }
});

describe('felzenszwalb properties', () => {
  it("sorts edges as numpy's default argsort does, ties included", () => {
    // np.argsort (numpy 1.24, introsort) of this array, which is not the stable order.
    const values = Float64Array.from([3, 1, 3, 1, 2, 2, 3, 1, 0, 0, 2, 1, 3, 3, 0, 1, 2]);
    expect(Array.from(numpyArgsort(values))).toEqual([8, 14, 9, 1, 3, 11, 7, 15, 10, 16, 5, 4, 12, 13, 2, 6, 0]);
    const many = Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 13);
    const order = numpyArgsort(many);
    for (let i = 1; i < order.length; i++) expect(many[order[i]!]!).toBeGreaterThanOrEqual(many[order[i - 1]!]!);
  });

  it('normalises the scipy Gaussian kernel (radius 3 at sigma 0.8)', () => {
    const k = gaussianKernel(0.8);
    expect(k.length).toBe(7);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it('keeps two flat halves apart and merges each half', () => {
    const width = 40;
    const height = 20;
    const data = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = x < 20 ? 0 : 1;
    const seg = felzenszwalb({ data, width, height, channels: 1 }, { scale: 1, sigma: 0, minSize: 1 });
    expect(seg.count).toBe(2);
    expect(seg.labels[0]).toBe(0);
    expect(seg.labels[width - 1]).toBe(1);
  });

  it('enforces the minimum segment size', () => {
    const width = 30;
    const height = 30;
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 0.5;
    const seg = felzenszwalb({ data, width, height, channels: 1 }, { scale: 1, sigma: 0.5, minSize: 50 });
    const sizes = new Map<number, number>();
    for (const l of seg.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    for (const s of sizes.values()) expect(s).toBeGreaterThanOrEqual(50);
  });
});
