import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { resizeImage, resizeMask } from '../../src/imaging/resize.js';

const random = (n: number, seed = 1): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform());
};
const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;

describe('resizeImage', () => {
  it('area: integer factors give exact block means', () => {
    const src = random(8 * 6);
    const out = resizeImage(src, 8, 6, { width: 4, height: 3 });
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const block = [src[2 * y * 8 + 2 * x]!, src[2 * y * 8 + 2 * x + 1]!, src[(2 * y + 1) * 8 + 2 * x]!, src[(2 * y + 1) * 8 + 2 * x + 1]!];
        expect(out[y * 4 + x]).toBeCloseTo(block.reduce((a, b) => a + b) / 4, 6);
      }
    }
  });

  it('area: fractional factors (1024 -> 320) keep the mean and constants', () => {
    const src = random(1024 * 1024, 2);
    const out = resizeImage(src, 1024, 1024, { width: 320, height: 320 });
    expect(out.length).toBe(320 * 320);
    expect(mean(out)).toBeCloseTo(mean(src), 5);
    const flat = resizeImage(new Float32Array(100 * 70).fill(0.25), 100, 70, { width: 33, height: 41 });
    for (const v of flat) expect(v).toBeCloseTo(0.25, 6);
  });

  it('area of a 3 -> 2 row: overlap weights', () => {
    const out = resizeImage(Float32Array.from([0, 3, 6]), 3, 1, { width: 2, height: 1 });
    // Output 0 covers [0, 1.5): (0 * 1 + 3 * 0.5) / 1.5 = 1; output 1 covers [1.5, 3): (3 * 0.5 + 6) / 1.5 = 5.
    expect(Array.from(out)).toEqual([1, 5]);
  });

  it('bilinear: upsampling a ramp interpolates between pixel centres, clamped at the edges', () => {
    const out = resizeImage(Float32Array.from([0, 1]), 2, 1, { width: 4, height: 1, method: 'bilinear' });
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('bilinear with anti-aliasing removes a checkerboard that plain bilinear aliases', () => {
    const n = 64;
    const checker = Float32Array.from({ length: n * n }, (_, i) => ((i % n) + Math.floor(i / n)) % 2);
    const aa = resizeImage(checker, n, n, { width: 20, height: 20, method: 'bilinear' });
    const plain = resizeImage(checker, n, n, { width: 20, height: 20, method: 'bilinear', antialias: false });
    const spread = (a: Float32Array): number => Math.max(...a) - Math.min(...a);
    expect(spread(aa)).toBeLessThan(0.1);
    expect(spread(plain)).toBeGreaterThan(0.3);
    expect(mean(aa)).toBeCloseTo(0.5, 2);
  });

  it('same size copies; bad sizes are UsageErrors', () => {
    const src = random(12);
    const copy = resizeImage(src, 4, 3, { width: 4, height: 3 });
    expect(copy).toEqual(src);
    expect(copy).not.toBe(src);
    expect(() => resizeImage(src, 4, 3, { width: 0, height: 3 })).toThrow(UsageError);
    expect(() => resizeImage(src, 5, 3, { width: 2, height: 2 })).toThrow(UsageError);
  });
});

describe('resizeMask', () => {
  it('nearest then > 0 gives a 0/1 mask', () => {
    const mask = new Uint8Array(1024 * 1024);
    for (let y = 100; y < 300; y++) for (let x = 500; x < 700; x++) mask[y * 1024 + x] = 255;
    const out = resizeMask(mask, 1024, 1024, 320, 320);
    expect(new Set(out)).toEqual(new Set([0, 1]));
    const count = out.reduce((s, v) => s + v, 0);
    expect(count).toBeGreaterThan(62 * 62);
    expect(count).toBeLessThan(64 * 64);
    // The centre of output pixel (x, y) is at source ((x + 0.5) * 3.2).
    expect(out[Math.floor(200 / 3.2) * 320 + Math.floor(600 / 3.2)]).toBe(1);
  });

  it('area mode keeps a lesion smaller than one output pixel', () => {
    const mask = new Uint8Array(10 * 10);
    mask[0] = 1; // top-left corner pixel only
    expect(resizeMask(mask, 10, 10, 3, 3, 'nearest').reduce((s, v) => s + v, 0)).toBe(0);
    const area = resizeMask(mask, 10, 10, 3, 3, 'area');
    expect(Array.from(area)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
