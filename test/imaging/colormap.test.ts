import { describe, expect, it } from 'vitest';
import { scheme } from 'vega';
import { applyColormap, colormapColor, colormapIndex, colormapTable } from '../../src/imaging/colormap.js';

const hex = (c: readonly number[] | undefined) => (c ? c.map((v) => v.toString(16).padStart(2, '0')).join('') : 'none');

describe('colormaps', () => {
  it('has matplotlib ends exactly', () => {
    expect(hex(colormapColor('plasma', 0))).toBe('0d0887');
    expect(hex(colormapColor('plasma', 1))).toBe('f0f921');
    expect(hex(colormapColor('viridis', 0))).toBe('440154');
    expect(hex(colormapColor('viridis', 1))).toBe('fde725');
  });

  it('gray maps v to round(255 v), clamped', () => {
    expect(colormapColor('gray', 0.5)).toEqual([128, 128, 128]);
    expect(colormapColor('gray', -3)).toEqual([0, 0, 0]);
    expect(colormapColor('gray', 7)).toEqual([255, 255, 255]);
  });

  it('agrees with vega-scale (the same matplotlib samples) within 3 units at every level', () => {
    for (const name of ['plasma', 'viridis'] as const) {
      const ref = scheme(name) as (t: number) => string;
      const lut = colormapTable(name);
      for (let k = 0; k < 256; k++) {
        const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(ref(k / 255))!;
        for (let c = 0; c < 3; c++) expect(Math.abs(lut[3 * k + c]! - Number(m[c + 1]))).toBeLessThanOrEqual(3);
      }
    }
  });

  it('plasma luminance rises monotonically (a perceptual map reads low to high)', () => {
    const lut = colormapTable('plasma');
    let last = -1;
    for (let k = 0; k < 256; k += 15) {
      const y = 0.2126 * lut[3 * k]! + 0.7152 * lut[3 * k + 1]! + 0.0722 * lut[3 * k + 2]!;
      expect(y).toBeGreaterThan(last);
      last = y;
    }
  });

  it('NaN has no colour and is transparent in applyColormap', () => {
    expect(colormapIndex(NaN)).toBe(-1);
    expect(colormapColor('plasma', NaN)).toBeUndefined();
    const img = applyColormap(Float32Array.from([0, NaN, 1]), 3, 1, 'viridis');
    expect(Array.from(img.data)).toEqual([0x44, 0x01, 0x54, 255, 0, 0, 0, 0, 0xfd, 0xe7, 0x25, 255]);
  });

  it('rejects a wrong size and an unknown name', () => {
    expect(() => applyColormap(new Float32Array(3), 2, 2, 'gray')).toThrow(/expected 2x2/);
    expect(() => colormapTable('jet' as 'gray')).toThrow(/unknown colormap/);
  });
});
