import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { decodeSiimRle, encodeSiimRle } from '../../src/data/rle.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

interface RleCase {
  name: string;
  width: number;
  height: number;
  rle: string;
  positive_count: number;
  positive_pixels_sample: [number, number][];
  mask: { dtype: string; shape: number[]; b64: string } | null;
}

const oracle = readOracleJson<{ cases: RleCase[] }>('siim_rle.json');

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

describe('SIIM RLE against siim_rle.json', () => {
  for (const c of oracle.cases) {
    it(`${c.name}: decodes and re-encodes exactly`, () => {
      const mask = decodeSiimRle(c.rle, c.width, c.height);
      expect(count(mask)).toBe(c.positive_count);
      for (const [row, col] of c.positive_pixels_sample) expect(mask[row * c.width + col]).toBe(1);
      if (c.mask) expect(Array.from(mask)).toEqual(Array.from(decodeArray(c.mask).data));
      expect(encodeSiimRle(mask, c.width, c.height)).toBe(c.rle.trim());
      if (c.mask) expect(encodeSiimRle(decodeArray(c.mask).data as Uint8Array, c.width, c.height)).toBe(c.rle.trim());
    });
  }
});

describe('SIIM RLE conventions', () => {
  it('is column-major with relative, 0-based starts', () => {
    // 3 wide, 2 high: flat k -> row k % 2, col floor(k / 2).
    const mask = decodeSiimRle('1 2 1 1', 3, 2);
    // pixels k = 1, 2 then k = 4: (1,0), (0,1), (0,2)
    expect(Array.from(mask)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(encodeSiimRle(mask, 3, 2)).toBe('1 2 1 1');
  });

  it('maps -1 to an empty mask and an empty mask to -1', () => {
    expect(count(decodeSiimRle(' -1', 4, 4))).toBe(0);
    expect(encodeSiimRle(new Uint8Array(16), 4, 4)).toBe('-1');
  });

  it('keeps a run that is open at the last pixel', () => {
    const mask = new Uint8Array(9).fill(1);
    expect(encodeSiimRle(mask, 3, 3)).toBe('0 9');
    expect(Array.from(decodeSiimRle('0 9', 3, 3))).toEqual(Array.from(mask));
  });

  it('unions several rows into one mask', () => {
    const into = decodeSiimRle('0 1', 2, 2);
    decodeSiimRle('3 1', 2, 2, { into });
    expect(Array.from(into)).toEqual([1, 0, 0, 1]);
  });

  it('round-trips random masks of odd sizes', () => {
    const rng = createRng(7);
    for (let t = 0; t < 200; t++) {
      const w = 1 + rng.int(23);
      const h = 1 + rng.int(23);
      const p = rng.uniform();
      const mask = new Uint8Array(w * h).map(() => (rng.uniform() < p ? 1 : 0));
      expect(Array.from(decodeSiimRle(encodeSiimRle(mask, w, h), w, h))).toEqual(Array.from(mask));
    }
  });
});

describe('SIIM RLE bad input', () => {
  const where = { file: 'train-rle.csv', field: 'line 3 › " EncodedPixels"' };
  const cases: [string, string][] = [
    ['', 'rle-empty'],
    ['1 2 3', 'rle-odd-count'],
    ['1 -2', 'rle-token'],
    ['1 2.5', 'rle-token'],
    ['1e3 2', 'rle-token'],
    ['0x10 2', 'rle-token'],
    ['99999999999999999999 1', 'rle-token'],
    ['10 7', 'rle-past-image'],
    ['0 8 0 9', 'rle-past-image'],
  ];
  for (const [rle, code] of cases) {
    it(`refuses ${JSON.stringify(rle)} with ${code}, naming the file and field`, () => {
      try {
        decodeSiimRle(rle, 4, 4, { where });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DataError);
        expect((error as DataError).code).toBe(code);
        expect((error as DataError).file).toBe('train-rle.csv');
        expect((error as DataError).field).toBe(where.field);
        expect((error as DataError).hint).toBeTruthy();
      }
    });
  }

  it('refuses masks of the wrong size', () => {
    expect(() => encodeSiimRle(new Uint8Array(5), 2, 2)).toThrow(DataError);
    expect(() => decodeSiimRle('0 1', 2, 2, { into: new Uint8Array(3) })).toThrow(DataError);
  });
});
