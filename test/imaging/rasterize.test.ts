import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { boxPixelRange, rasterizeBoxes, rasterizeScoredBoxes } from '../../src/imaging/rasterize.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

interface BoxCase {
  name: string;
  boxes_xywh_1024: [number, number, number, number][];
  mask320: { dtype: string; shape: number[]; b64: string };
  positive_count: number;
}

const oracle = readOracleJson<{ cases: BoxCase[] }>('rsna_boxes.json');
const toBox = ([x, y, width, height]: [number, number, number, number]) => ({ x, y, width, height });

describe('RSNA boxes at 320 against rsna_boxes.json (arun2021 rule)', () => {
  for (const c of oracle.cases) {
    it(c.name, () => {
      const mask = rasterizeBoxes(c.boxes_xywh_1024.map(toBox), { width: 1024, height: 1024 }, { width: 320, height: 320 }, { rule: 'arun2021' });
      const expected = decodeArray(c.mask320).data;
      expect(mask.data.reduce((a, b) => a + b, 0)).toBe(c.positive_count);
      expect(Buffer.from(mask.data).equals(Buffer.from(expected))).toBe(true);
    });
  }
});

describe('box rules', () => {
  const s1024 = { width: 1024, height: 1024 };
  const s320 = { width: 320, height: 320 };

  it('arun2021: floor(320*c/1023), inclusive ends, swapped and clipped', () => {
    // As numpy slicing does: a start mapped to 320 selects nothing, an end mapped to 320 is clipped.
    expect(boxPixelRange({ x: 1023, y: 0, width: 0, height: 1023 }, s1024, s320, 'arun2021')).toBeUndefined();
    expect(boxPixelRange({ x: 1000, y: 0, width: 23, height: 1023 }, s1024, s320, 'arun2021')).toEqual({ x0: 312, x1: 319, y0: 0, y1: 319 });
    expect(boxPixelRange({ x: 200, y: 200, width: -100, height: 10 }, s1024, s320, 'arun2021')).toEqual({ x0: 31, x1: 62, y0: 62, y1: 65 });
  });

  it('exact: integer boxes at the same size cover exactly width x height pixels', () => {
    const m = rasterizeBoxes([{ x: 2, y: 3, width: 4, height: 2 }], { width: 10, height: 10 }, { width: 10, height: 10 });
    expect(m.data.reduce((a, b) => a + b, 0)).toBe(8);
    expect(m.data[3 * 10 + 2]).toBe(1);
    expect(m.data[4 * 10 + 5]).toBe(1);
    expect(m.data[5 * 10 + 5]).toBe(0);
  });

  it('exact: a partial overlap marks the pixel; a whole image box fills the target', () => {
    expect(boxPixelRange({ x: 0, y: 0, width: 1024, height: 1024 }, s1024, s320)).toEqual({ x0: 0, x1: 319, y0: 0, y1: 319 });
    expect(boxPixelRange({ x: 0.5, y: 1, width: 0.1, height: 1 }, { width: 4, height: 4 }, { width: 2, height: 2 })).toEqual({ x0: 0, x1: 0, y0: 0, y1: 0 });
    expect(boxPixelRange({ x: 3, y: 3, width: 0, height: 1 }, { width: 4, height: 4 }, { width: 4, height: 4 })).toBeUndefined();
    expect(boxPixelRange({ x: -5, y: -5, width: 2, height: 2 }, { width: 4, height: 4 }, { width: 4, height: 4 })).toBeUndefined();
  });

  it('exact: upscaling nearest-neighbour agrees with the box mask', () => {
    const m = rasterizeBoxes([{ x: 1, y: 1, width: 1, height: 2 }], { width: 4, height: 4 }, { width: 8, height: 8 });
    const rows = [];
    for (let y = 0; y < 8; y++) rows.push(Array.from(m.data.subarray(y * 8, y * 8 + 8)).join(''));
    expect(rows).toEqual(['00000000', '00000000', '00110000', '00110000', '00110000', '00110000', '00000000', '00000000']);
  });

  it('scored boxes give the per-pixel maximum score', () => {
    const map = rasterizeScoredBoxes(
      [
        { x: 0, y: 0, width: 2, height: 2, score: 0.3 },
        { x: 1, y: 1, width: 2, height: 2, score: 0.8 },
        { x: 0, y: 0, width: 1, height: 1 },
      ],
      { width: 4, height: 4 },
      { width: 4, height: 4 },
    );
    expect(Array.from(map.data)).toEqual(Array.from(new Float32Array([1, 0.3, 0, 0, 0.3, 0.8, 0.8, 0, 0, 0.8, 0.8, 0, 0, 0, 0, 0])));
  });

  it('refuses non-finite boxes and bad sizes', () => {
    expect(() => rasterizeBoxes([{ x: NaN, y: 0, width: 1, height: 1 }], s1024, s320)).toThrow(UsageError);
    expect(() => rasterizeBoxes([], s1024, { width: 0, height: 3 })).toThrow(UsageError);
    expect(() => boxPixelRange({ x: 0, y: 0, width: 1, height: 1 }, { width: 1, height: 1 }, s320, 'arun2021')).toThrow(UsageError);
  });
});
