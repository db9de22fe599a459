import { describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { encodeGray16Png, encodeGray8Png, encodeRgbaPng, encodeRgbPng, pngDataUrl } from '../../src/report/png.js';

describe('PNG encoding', () => {
  const rgba = { data: Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 128]), width: 2, height: 1 };

  it('RGBA and RGB round-trip', () => {
    const a = decode(encodeRgbaPng(rgba));
    expect([a.width, a.height, a.channels, a.depth]).toEqual([2, 1, 4, 8]);
    expect(Array.from(a.data)).toEqual(Array.from(rgba.data));
    const b = decode(encodeRgbPng(rgba));
    expect(b.channels).toBe(3);
    expect(Array.from(b.data)).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it('16-bit grey keeps 65536 levels; NaN becomes transparent', () => {
    const g = decode(encodeGray16Png(Float32Array.from([0, 0.5, 1, 2]), 2, 2));
    expect([g.depth, g.channels]).toEqual([16, 1]);
    expect(Array.from(g.data)).toEqual([0, 32768, 65535, 65535]);
    const n = decode(encodeGray16Png(Float32Array.from([0.25, NaN]), 2, 1));
    expect(n.channels).toBe(2);
    expect(Array.from(n.data)).toEqual([16384, 65535, 0, 0]);
    expect(decode(encodeGray16Png(Float32Array.from([0.25, NaN]), 2, 1, { nan: 'zero' })).channels).toBe(1);
  });

  it('8-bit grey, identical bytes for identical input, and a data URL', () => {
    const a = encodeGray8Png(Float32Array.from([0, 1]), 2, 1);
    expect(Array.from(decode(a).data)).toEqual([0, 255]);
    expect(Buffer.from(encodeGray8Png(Float32Array.from([0, 1]), 2, 1)).equals(Buffer.from(a))).toBe(true);
    expect(pngDataUrl(a)).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('rejects wrong sizes and levels', () => {
    expect(() => encodeGray8Png(new Float32Array(3), 2, 2)).toThrow(/expected 2x2x1/);
    expect(() => encodeRgbaPng(rgba, { level: 12 })).toThrow(/0-9/);
  });
});

describe('JPEG thumbnails', () => {
  it('encodes a baseline JPEG, deterministically', async () => {
    const { encodeJpeg, jpegDataUrl } = await import('../../src/report/png.js');
    const rgba = { data: new Uint8ClampedArray(16 * 16 * 4).fill(200), width: 16, height: 16 };
    const a = encodeJpeg(rgba);
    expect([a[0], a[1]]).toEqual([0xff, 0xd8]);
    expect(Buffer.from(encodeJpeg(rgba)).equals(Buffer.from(a))).toBe(true);
    expect(jpegDataUrl(a)).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(() => encodeJpeg(rgba, 0)).toThrow(/1-100/);
  });
});
