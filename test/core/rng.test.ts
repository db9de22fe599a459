import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';

describe('createRng', () => {
  it('repeats exactly for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 50 }, () => a.uniform());
    const ys = Array.from({ length: 50 }, () => b.uniform());
    const zs = Array.from({ length: 50 }, () => c.uniform());
    expect(xs).toEqual(ys);
    expect(xs).not.toEqual(zs);
  });

  it('draws uniforms in [0,1) with the right mean and normals with mean 0, sd 1', () => {
    const rng = createRng(7);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    const z = Array.from(rng.fillNormal(new Float64Array(n)));
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it('int(n) covers 0..n-1 evenly and shuffle is a permutation', () => {
    const rng = createRng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[rng.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = rng.shuffle(items.slice());
    expect(shuffled).not.toEqual(items);
    expect(shuffled.slice().sort((x, y) => x - y)).toEqual(items);
  });

  it('forks are deterministic, label-dependent and independent of draw order', () => {
    const a = createRng(5);
    a.uniform();
    const b = createRng(5);
    expect(a.fork('noise').uniform()).toBe(b.fork('noise').uniform());
    expect(createRng(5).fork('noise').uniform()).not.toBe(createRng(5).fork('split').uniform());
  });

  it('fillNormal draws exactly what repeated normal() calls draw, across the spare of the polar method', () => {
    for (const skip of [0, 1]) {
      for (const length of [0, 1, 2, 3, 8, 1001]) {
        const fast = createRng(11);
        const slow = createRng(11);
        for (let i = 0; i < skip; i++) {
          fast.normal();
          slow.normal();
        }
        const filled = Array.from(fast.fillNormal(new Float64Array(length), 0.5, 2));
        const drawn = Array.from({ length }, () => 0.5 + 2 * slow.normal());
        expect(filled).toEqual(drawn);
        // The generators stay in step after the fill (state and spare carried over).
        expect([fast.normal(), fast.uniform()]).toEqual([slow.normal(), slow.uniform()]);
      }
    }
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
  });
});
