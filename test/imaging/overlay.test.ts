import { describe, expect, it } from 'vitest';
import { boxOutline, grayToRgba, maskOutline, overlayMap, truthOutline } from '../../src/imaging/overlay.js';

const grid = (s: string[]) => ({ data: Uint8Array.from(s.join('').split(''), (c) => (c === '#' ? 1 : 0)), width: s[0]!.length, height: s.length });
const show = (o: Uint8Array, w: number) => Array.from({ length: o.length / w }, (_, y) => Array.from(o.subarray(y * w, (y + 1) * w), (v) => (v ? '#' : '.')).join(''));

describe('outlines', () => {
  it('a filled square outlines its border ring; the inside stays empty', () => {
    const m = grid(['.....', '.###.', '.###.', '.###.', '.....']);
    expect(show(maskOutline(m), 5)).toEqual(['.....', '.###.', '.#.#.', '.###.', '.....']);
  });

  it('a region touching the image edge is closed along the edge; thickness 2 eats one more ring', () => {
    const m = grid(['####', '####', '####', '####']);
    expect(show(maskOutline(m), 4)).toEqual(['####', '#..#', '#..#', '####']);
    expect(show(maskOutline(m, { thickness: 2 }), 4)).toEqual(['####', '####', '####', '####']);
  });

  it('box edges on a scaled grid', () => {
    const o = boxOutline([{ x: 2, y: 2, width: 8, height: 6 }], { width: 12, height: 12 }, { width: 6, height: 6 });
    expect(show(o, 6)).toEqual(['......', '.####.', '.#..#.', '.####.', '......', '......']);
  });

  it('truthOutline resizes masks and handles none', () => {
    const m = grid(['##..', '##..', '....', '....']);
    const o = truthOutline({ kind: 'mask', mask: m }, { width: 8, height: 8 });
    expect(show(o, 8).slice(0, 5)).toEqual(['####....', '#..#....', '#..#....', '####....', '........']);
    expect(truthOutline({ kind: 'none' }, { width: 3, height: 3 }).every((v) => v === 0)).toBe(true);
  });
});

describe('overlayMap', () => {
  const image = { pixels: Float32Array.from([0, 0.5, 1, 0.5]), width: 2, height: 2 };

  it('blends (1 - alpha) grey + alpha colour, opaque', () => {
    const map = { data: Float32Array.from([0, 1, NaN, 0.5]), width: 2, height: 2 };
    const out = overlayMap(image, map, { colormap: 'gray', alpha: 0.25 });
    // pixel 0: grey 0, colour 0 -> 0; pixel 1: grey 128, colour 255 -> 0.75*128 + 0.25*255 = 159.75 -> 160
    expect(Array.from(out.data.subarray(0, 8))).toEqual([0, 0, 0, 255, 160, 160, 160, 255]);
    // NaN map pixel shows the image alone
    expect(Array.from(out.data.subarray(8, 12))).toEqual([255, 255, 255, 255]);
  });

  it('alpha 1 gives the colormap, alpha 0 the image', () => {
    const map = { data: Float32Array.from([1, 1, 1, 1]), width: 2, height: 2 };
    expect(Array.from(overlayMap(image, map, { alpha: 1 }).data.subarray(0, 3))).toEqual([0xf0, 0xf9, 0x21]);
    expect(overlayMap(image, map, { alpha: 0 }).data).toEqual(grayToRgba(image).data);
  });

  it('draws the outline on top in yellow', () => {
    const map = { data: new Float32Array(4), width: 2, height: 2 };
    const out = overlayMap(image, map, { outline: Uint8Array.from([0, 0, 0, 1]) });
    expect(Array.from(out.data.subarray(12, 16))).toEqual([255, 255, 0, 255]);
  });

  it('rejects mismatched sizes and bad alpha', () => {
    expect(() => overlayMap(image, { data: new Float32Array(9), width: 3, height: 3 })).toThrow(/resize one first/);
    expect(() => overlayMap(image, { data: new Float32Array(4), width: 2, height: 2 }, { alpha: 2 })).toThrow(/alpha/);
  });
});
