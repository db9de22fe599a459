import { describe, expect, it } from 'vitest';
import { mapErrorCodes, upsample, upsampleBilinear, upsampleNearest } from '../../src/imaging/index.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

type Encoded = { dtype: string; shape: number[]; b64: string };
const saliency = readOracleJson<{ conventions: Record<string, string>; cases: { name: string; gradcam_lowres: Encoded; gradcam_upsampled: Encoded }[] }>(
  'saliency/saliency.json',
);

describe('bilinear upsampling against the saliency oracle (skimage resize order 1)', () => {
  it('the oracle states the convention tested here', () => expect(saliency.conventions.gradcam).toMatch(/\(i \+ 0\.5\)/));
  for (const c of saliency.cases) {
    it(`${c.name}: Grad-CAM low-res / max -> upsampled`, () => {
      const low = decodeArray(c.gradcam_lowres);
      const high = decodeArray(c.gradcam_upsampled);
      // The oracle's low-res map is relu(sum_c w_c A_c); Grad-CAM divides it by its max before upsampling.
      const peak = Math.max(...low.data);
      const normalized = Float32Array.from(low.data, (v) => v / peak);
      const out = upsampleBilinear({ data: normalized, width: low.shape[1]!, height: low.shape[0]! }, high.shape[1]!, high.shape[0]!);
      let worst = 0;
      for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - high.data[i]!));
      expect(worst).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe('upsampling properties', () => {
  const map = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2 };
  it('mirrors about the border pixel rather than clamping', () => {
    // 3 -> 12 columns: output 0 samples x = -0.375, i.e. 0.625 * x[0] + 0.375 * x[1] under x[-1] = x[1].
    const row = upsampleBilinear({ data: Float32Array.from([0, 8, 16]), width: 3, height: 1 }, 12, 1).data;
    expect(row[0]).toBeCloseTo(0.375 * 8, 6);
    expect(row[11]).toBeCloseTo(16 - 0.375 * 8, 6);
  });
  it('is the identity at the same size and preserves constants and linear ramps inside', () => {
    expect(Array.from(upsampleBilinear(map, 3, 2).data)).toEqual(Array.from(map.data));
    const flat = upsampleBilinear({ data: new Float32Array(16).fill(0.7), width: 4, height: 4 }, 13, 9);
    expect(Array.from(flat.data).every((v) => Math.abs(v - 0.7) < 1e-6)).toBe(true);
    const ramp = upsampleBilinear({ data: Float32Array.from([0, 1, 2, 3]), width: 4, height: 1 }, 8, 1).data;
    // Interior samples x = (i + 0.5) / 2 - 0.5 lie on the ramp itself.
    for (let i = 1; i < 7; i++) expect(ramp[i]).toBeCloseTo((i + 0.5) / 2 - 0.5, 6);
  });
  it('nearest copies the source pixel containing each output centre', () => {
    const out = upsampleNearest(map, 6, 4);
    expect(Array.from(out.data.subarray(0, 6))).toEqual([1, 1, 2, 2, 3, 3]);
    expect(Array.from(out.data.subarray(18, 24))).toEqual([4, 4, 5, 5, 6, 6]);
  });
  it('records its step and rejects bad sizes', () => {
    const { step } = upsample(map, { width: 6, height: 4, method: 'nearest' });
    expect(step.op).toBe('upsample-nearest');
    expect(() => upsampleBilinear(map, 0, 4)).toThrow(expect.objectContaining({ code: mapErrorCodes.badOption }));
    expect(() => upsampleBilinear({ ...map, width: 4 }, 8, 4)).toThrow(expect.objectContaining({ code: mapErrorCodes.shape }));
  });
});
