import { describe, expect, it } from 'vitest';
import { rescaleFloat32, resizeCubic, resizeNearestLabels } from '../../src/saliency/xrai/resize.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

interface Encoded {
  dtype: string;
  shape: number[];
  b64: string;
}
const oracle = readOracleJson<{ cases: { name: string; image_hwc: Encoded; normalized_resized_224_hwc: Encoded }[] }>('felzenszwalb.json');

/** HWC -> one plane per channel. */
function planes(data: ArrayLike<number>, h: number, w: number, c: number): Float32Array[] {
  return Array.from({ length: c }, (_, k) => {
    const p = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) p[i] = data[i * c + k]!;
    return p;
  });
}

describe('XRAI resize (scikit-image oracle)', () => {
  for (const c of oracle.cases) {
    it(`${c.name}: rescale to [-1, 1] + cubic resize to 224 matches to float32 precision`, () => {
      const img = decodeArray(c.image_hwc);
      const [h, w, ch] = img.shape as [number, number, number];
      const expected = decodeArray(c.normalized_resized_224_hwc).data;
      const scaled = rescaleFloat32(Float32Array.from(img.data), -1, 1);
      const resized = planes(scaled, h, w, ch).map((p) => resizeCubic(p, h, w, 224, 224));
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < 224 * 224; i++) {
        for (let k = 0; k < ch; k++) {
          const d = Math.abs(resized[k]![i]! - expected[i * ch + k]!);
          worst = Math.max(worst, d);
          if (d > 0) differing++;
        }
      }
      expect(worst).toBeLessThanOrEqual(1.2e-7);
      expect(differing / (224 * 224 * ch)).toBeLessThan(0.001);
    });
  }

  it('nearest label resize samples pixel centres', () => {
    const labels = Int32Array.from({ length: 16 }, (_, i) => i);
    const out = resizeNearestLabels(labels, 4, 4, 2, 2);
    // (k + 0.5) * 2 - 0.5 = 0.5, 2.5 -> floor(x + 0.5) = 1, 3
    expect(Array.from(out)).toEqual([5, 7, 13, 15]);
  });
});
