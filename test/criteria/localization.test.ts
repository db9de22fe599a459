import { describe, expect, it } from 'vitest';
import { createAverageMaskAccumulator, detectionMap, groundTruthMask, meanLocalizationScores, scoreLocalization } from '../../src/criteria/index.js';
import { rasterizeBoxes } from '../../src/imaging/index.js';
import { auprc, averagePrecision, dice, hitRate, iou, otsuThreshold, thresholdMask } from '../../src/metrics/index.js';
import { blobMap, maskMap, noiseMap, squareMask, SIZE } from './helpers.js';

describe('scoreLocalization', () => {
  it('gives a perfect map AUPRC 1 and perfect overlap', () => {
    const mask = squareMask(8, 8, 10);
    const s = scoreLocalization(maskMap(mask), mask);
    expect(s).toMatchObject({ auprc: 1, averagePrecision: 1, iou: 1, dice: 1, hitRate: 1, degenerate: false });
  });

  it('equals direct calls to the metrics', () => {
    const mask = squareMask(5, 9, 12);
    const map = noiseMap(3);
    for (let i = 0; i < map.data.length; i++) if (mask.data[i]) map.data[i] = map.data[i]! * 0.5 + 0.4;
    const s = scoreLocalization(map, mask);
    const t = otsuThreshold(map.data);
    const binary = thresholdMask(map.data, t);
    expect(s.auprc).toBe(auprc(map.data, mask.data));
    expect(s.averagePrecision).toBe(averagePrecision(map.data, mask.data));
    expect(s.threshold).toBe(t);
    expect(s.iou).toBe(iou(binary, mask.data));
    expect(s.dice).toBe(dice(binary, mask.data));
    expect(s.hitRate).toBe(hitRate(map.data, mask.data));
  });

  it('scores a degenerate (NaN) map as NaN everywhere and flags it', () => {
    const map = { data: new Float32Array(SIZE * SIZE).fill(NaN), width: SIZE, height: SIZE };
    const s = scoreLocalization(map, squareMask(0, 0, 4));
    expect(s.degenerate).toBe(true);
    expect([s.auprc, s.iou, s.dice, s.hitRate].every(Number.isNaN)).toBe(true);
  });

  it('rejects maps and masks of different sizes', () => {
    expect(() => scoreLocalization(blobMap(4, 4, 2, 16), squareMask(0, 0, 4))).toThrow(/cannot be compared/);
  });

  it('averages per image over replicates, ignoring NaN', () => {
    const mask = squareMask(8, 8, 10);
    const a = scoreLocalization(maskMap(mask), mask);
    const b = scoreLocalization(noiseMap(1), mask);
    const nan = scoreLocalization({ data: new Float32Array(SIZE * SIZE).fill(NaN), width: SIZE, height: SIZE }, mask);
    const [m] = meanLocalizationScores([[a], [b], [nan]]);
    expect(m!.auprc).toBeCloseTo((a.auprc + b.auprc) / 2, 12);
    expect(m!.degenerate).toBe(false);
  });
});

describe('ground truth and detector maps', () => {
  it('rasterises boxes with the chosen rule and passes masks through', () => {
    const boxes = [{ x: 100, y: 200, width: 300, height: 150 }];
    const truth = { kind: 'boxes' as const, boxes, width: 1024, height: 1024 };
    const size = { width: 320, height: 320 };
    const mask320 = groundTruthMask(truth, size, { boxRule: 'arun2021' });
    expect(Buffer.compare(mask320.data, rasterizeBoxes(boxes, { width: 1024, height: 1024 }, size, { rule: 'arun2021' }).data)).toBe(0);
    const mask = squareMask(1, 1, 3);
    expect(groundTruthMask({ kind: 'mask', mask }, { width: SIZE, height: SIZE })).toBe(mask);
    expect(() => groundTruthMask({ kind: 'none' }, size)).toThrow(/no ground truth/);
    expect(() => groundTruthMask({ kind: 'mask', mask }, size)).toThrow(/cannot be compared/);
  });

  it('draws detections with their scores, per-pixel maximum', () => {
    const map = detectionMap(
      [
        { x: 0, y: 0, width: 4, height: 4, score: 0.3 },
        { x: 2, y: 2, width: 4, height: 4, score: 0.9 },
      ],
      { width: 8, height: 8 },
      { width: 8, height: 8 },
    );
    expect(map.data[0]).toBeCloseTo(0.3);
    expect(map.data[3 * 8 + 3]).toBeCloseTo(0.9);
    expect(map.data[7 * 8 + 7]).toBe(0);
  });
});

describe('createAverageMaskAccumulator', () => {
  it('is the per-pixel mean, negatives counting as empty masks', () => {
    const acc = createAverageMaskAccumulator({ width: SIZE, height: SIZE });
    expect(() => acc.result()).toThrow(/no ground truth/);
    acc.add(squareMask(0, 0, 4));
    acc.add({ kind: 'mask', mask: squareMask(2, 2, 4) });
    acc.add({ kind: 'none' });
    acc.add({ kind: 'boxes', boxes: [{ x: 0, y: 0, width: 1, height: 1 }], width: SIZE, height: SIZE });
    const mean = acc.result();
    expect(acc.count).toBe(4);
    expect(mean.data[0]).toBeCloseTo(2 / 4);
    expect(mean.data[3 * SIZE + 3]).toBeCloseTo(2 / 4);
    expect(mean.data[5 * SIZE + 5]).toBeCloseTo(1 / 4);
    expect(mean.data[20 * SIZE + 20]).toBe(0);
  });
});
