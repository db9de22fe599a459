import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { rocAuc } from '../../src/metrics/index.js';
import { generateAnchors } from '../../src/models/detection/anchors.js';
import { decodeBox, encodeBox, generalizedIou, nonMaxSuppression } from '../../src/models/detection/boxes.js';
import { assignAnchors, decodeDetections } from '../../src/models/detection/task.js';
import { retinaAnchors } from '../../src/models/architectures/retinanet.js';
import { boxIou, diceScore, meanAveragePrecision, rocAucScore } from '../../src/models/evaluation.js';

describe('boxes', () => {
  it('decoding inverts encoding', () => {
    const anchor = { x: 10, y: 12, width: 16, height: 24 };
    const box = { x: 13, y: 9, width: 20, height: 18 };
    const back = decodeBox(encodeBox(box, anchor), anchor);
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(back[k]).toBeCloseTo(box[k], 9);
  });

  it('GIoU equals IoU for nested boxes and goes negative for distant ones', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(generalizedIou(a, { x: 2, y: 2, width: 4, height: 4 })).toBeCloseTo(0.16, 9);
    expect(generalizedIou(a, { x: 20, y: 0, width: 10, height: 10 })).toBeCloseTo(-1 / 3, 9);
  });

  it('NMS drops overlapping lower-scoring boxes', () => {
    const kept = nonMaxSuppression([
      { x: 0, y: 0, width: 10, height: 10, score: 0.9 },
      { x: 1, y: 1, width: 10, height: 10, score: 0.8 },
      { x: 30, y: 30, width: 10, height: 10, score: 0.7 },
    ]);
    expect(kept.map((b) => b.score)).toEqual([0.9, 0.7]);
  });
});

describe('anchors and targets', () => {
  const config = retinaAnchors(16);
  const anchors = generateAnchors(config, 64, 64);

  it('every ground-truth box gets at least one positive anchor, and decoding perfect outputs recovers it', () => {
    const truth = [{ x: 20, y: 24, width: 12, height: 14 }];
    const { label, deltas } = assignAnchors(anchors, truth);
    expect(label.filter((l) => l === 1).length).toBeGreaterThan(0);
    const head = new Float32Array(anchors.length * 5).fill(0);
    for (let i = 0; i < anchors.length; i++) {
      head[i * 5] = label[i] === 1 ? 8 : -8;
      head.set(deltas.subarray(i * 4, i * 4 + 4), i * 5 + 1);
    }
    const found = decodeDetections(head, anchors, 1, [64, 64]);
    expect(found.length).toBe(1);
    expect(boxIou(found[0]!, truth[0]!)).toBeGreaterThan(0.99);
  });
});

describe('selection scores', () => {
  it('ROC-AUC equals the metrics layer\'s, ties included', () => {
    const rng = createRng(3);
    const scores = Array.from({ length: 200 }, () => Math.round(rng.uniform() * 20) / 20);
    const labels = scores.map((s) => (rng.uniform() < s ? 1 : 0));
    expect(rocAucScore(scores, labels)).toBeCloseTo(rocAuc(scores, labels), 12);
  });

  it('Dice and mAP@0.5 on hand-made cases', () => {
    expect(diceScore([1, 1, 0, 0], [1, 0, 0, 0])).toBeCloseTo(2 / 3, 12);
    const t = { x: 0, y: 0, width: 10, height: 10 };
    expect(meanAveragePrecision([{ detections: [{ ...t, score: 0.9 }], truth: [t] }])).toBe(1);
    // A false positive ranked first halves the precision at full recall.
    expect(meanAveragePrecision([{ detections: [{ x: 50, y: 50, width: 5, height: 5, score: 0.9 }, { ...t, score: 0.5 }], truth: [t] }])).toBeCloseTo(0.5, 12);
  });
});
