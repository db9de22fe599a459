import { describe, expect, it } from 'vitest';
import { bytesPerImage, laneRanges, splitRows, subBatchSize } from '../../src/engine/memory.js';

describe('memory budget', () => {
  it('estimates backward passes above forward ones, and falls back to a rule of thumb', () => {
    const sizes = { input: 3 * 64 * 64, total: 100_000, largest: 20_000 };
    expect(bytesPerImage(sizes, 'forward', sizes.input)).toBe(4 * 4 * 20_000);
    expect(bytesPerImage(sizes, 'backward', sizes.input)).toBe(4 * (100_000 + 4 * 20_000));
    expect(bytesPerImage(undefined, 'backward', 1000)).toBe(4 * 256 * 1000);
  });

  it('fits as many images as the budget allows, within [1, maxBatch]', () => {
    expect(subBatchSize(1024 * 1024, 10, 32)).toBe(10);
    expect(subBatchSize(1024 * 1024, 0.5, 32)).toBe(1);
    expect(subBatchSize(1, 1000, 32)).toBe(32);
  });

  it('splits rows into balanced ranges that cover the batch', () => {
    expect(splitRows(0, 4)).toEqual([]);
    expect(splitRows(9, 4)).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
    ]);
    expect(splitRows(3, 8)).toEqual([[0, 3]]);
    for (let n = 1; n < 40; n++) {
      for (const size of [1, 2, 5, 8]) {
        const ranges = splitRows(n, size);
        expect(ranges[0]![0]).toBe(0);
        expect(ranges.at(-1)![1]).toBe(n);
        for (const [a, b] of ranges) expect(b - a).toBeLessThanOrEqual(size);
      }
    }
  });

  it('splits a call over lanes in a multiple of the lanes, sizes within one row, each within the budget', () => {
    expect(laneRanges(0, 4, 2)).toEqual([]);
    expect(laneRanges(8, 32, 2)).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect(laneRanges(18, 7, 2)).toEqual([
      [0, 5],
      [5, 10],
      [10, 14],
      [14, 18],
    ]);
    expect(laneRanges(1, 32, 2)).toEqual([[0, 1]]);
    for (let n = 1; n < 60; n++) {
      for (const fit of [1, 3, 7, 32]) {
        for (const lanes of [1, 2, 3]) {
          const ranges = laneRanges(n, fit, lanes);
          expect(ranges[0]![0]).toBe(0);
          expect(ranges.at(-1)![1]).toBe(n);
          for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
          const sizes = ranges.map(([a, b]) => b - a);
          expect(Math.max(...sizes)).toBeLessThanOrEqual(fit);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          // The fewest ranges that fit, rounded up to a multiple of the lanes (no more ranges than rows).
          expect(ranges.length).toBe(Math.min(n, Math.ceil(Math.ceil(n / fit) / lanes) * lanes));
        }
      }
    }
  });
});
