import { describe, expect, it } from 'vitest';
import { ssim, ssimDetails, ssimSettings } from '../../src/metrics/index.js';
import { metricsErrorCodes } from '../../src/metrics/messages.js';
import { createRng } from '../../src/core/rng.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

type Encoded = { dtype: string; shape: number[]; b64: string };
interface Expected {
  data_range: number;
  gaussian_weights: boolean;
  win_size: number;
  use_sample_covariance: boolean;
  ssim: number;
}
interface SsimCase {
  name: string;
  a: Encoded;
  b: Encoded;
  expected: Expected[];
}
const oracle = readOracleJson<{ about: string; cases: SsimCase[] }>('ssim.json');

describe('ssim against scikit-image 0.19.3 (oracle)', () => {
  it('has cases', () => expect(oracle.cases.length).toBeGreaterThan(5));
  for (const c of oracle.cases) {
    it(c.name, () => {
      const a = decodeArray(c.a);
      const b = decodeArray(c.b);
      const [height, width] = a.shape as [number, number];
      for (const e of c.expected) {
        const settings = e.gaussian_weights ? ssimSettings.wang2004 : ssimSettings.arun2021;
        expect(settings.winSize).toBe(e.win_size);
        expect(settings.sampleCovariance).toBe(e.use_sample_covariance);
        const value = ssim(a.data, b.data, { ...settings, width, height, dataRange: e.data_range });
        expect(Math.abs(value - e.ssim), `${c.name} ${JSON.stringify(e)}: got ${value}`).toBeLessThanOrEqual(1e-6);
      }
    });
  }
});

function randomMap(seed: number, width: number, height: number): Float32Array {
  const rng = createRng(seed);
  const m = new Float32Array(width * height);
  for (let i = 0; i < m.length; i++) m[i] = rng.uniform();
  return m;
}

/** SSIM straight from its definition: every window summed from scratch, no running sums. */
function naiveBoxSsim(a: Float32Array, b: Float32Array, width: number, height: number, win: number, range: number): number {
  const r = (win - 1) / 2;
  const np = win * win;
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  let total = 0;
  let count = 0;
  for (let y = r; y < height - r; y++) {
    for (let x = r; x < width - r; x++) {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const p = a[(y + dy) * width + x + dx]!;
          const q = b[(y + dy) * width + x + dx]!;
          sx += p; sy += q; sxx += p * p; syy += q * q; sxy += p * q;
        }
      }
      const ux = sx / np, uy = sy / np;
      const k = np / (np - 1);
      const vx = k * (sxx / np - ux * ux), vy = k * (syy / np - uy * uy), vxy = k * (sxy / np - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

describe('ssim properties', () => {
  const width = 37;
  const height = 29;
  const a = randomMap(1, width, height);
  const b = randomMap(2, width, height).map((v, i) => 0.5 * v + 0.5 * a[i]!);
  for (const [name, settings] of Object.entries(ssimSettings)) {
    it(`${name}: SSIM(a, a) = 1 and SSIM is symmetric`, () => {
      const options = { ...settings, width, height, dataRange: 1 };
      expect(ssim(a, a, options)).toBeCloseTo(1, 12);
      expect(ssim(a, b, options)).toBeCloseTo(ssim(b, a, options), 12);
      expect(ssim(a, b, options)).toBeLessThan(1);
    });
  }
  it('box windows of other sizes agree with a from-scratch computation', () => {
    for (const win of [3, 5, 9]) {
      const value = ssim(a, b, { window: 'box', winSize: win, sampleCovariance: true, width, height, dataRange: 2 });
      expect(value).toBeCloseTo(naiveBoxSsim(a, b, width, height, win, 2), 10);
    }
  });
  it('flags constant maps and scores them as scikit-image does (identical constants give 1)', () => {
    const flat = new Float32Array(width * height).fill(0.25);
    const d = ssimDetails(flat, flat, { ...ssimSettings.arun2021, width, height, dataRange: 2 });
    expect(d.value).toBe(1);
    expect(d.constantA && d.constantB).toBe(true);
    const e = ssimDetails(flat, a, { ...ssimSettings.arun2021, width, height, dataRange: 2 });
    expect(e.constantA).toBe(true);
    expect(e.constantB).toBe(false);
    expect(Number.isFinite(e.value)).toBe(true);
    expect(e.value).toBeCloseTo(naiveBoxSsim(flat, a, width, height, 7, 2), 10);
  });
  it('propagates NaN inputs as NaN and flags them', () => {
    const withNaN = a.slice();
    withNaN[100] = NaN;
    const d = ssimDetails(withNaN, b, { ...ssimSettings.arun2021, width, height, dataRange: 1 });
    expect(d.value).toBeNaN();
    expect(d.hasNaN).toBe(true);
  });
  it('requires dataRange and a consistent window', () => {
    const bad = (o: object) => () => ssim(a, b, { ...ssimSettings.arun2021, width, height, ...o } as never);
    expect(bad({})).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
    expect(bad({ dataRange: 0 })).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
    expect(bad({ dataRange: 1, winSize: 4 })).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
    expect(bad({ dataRange: 1, winSize: 41 })).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
    expect(() => ssim(a, b, { ...ssimSettings.wang2004, winSize: 7, width, height, dataRange: 1 })).toThrow(
      expect.objectContaining({ code: metricsErrorCodes.badOption }),
    );
    expect(() => ssim(a, b, { ...ssimSettings.arun2021, width: 10, height, dataRange: 1 })).toThrow(
      expect.objectContaining({ code: metricsErrorCodes.mapSize }),
    );
  });
});
