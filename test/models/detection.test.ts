import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Box } from '../../src/core/types.js';
import { generatePhantom } from '../../src/data/phantom/index.js';
import { rocAuc } from '../../src/metrics/index.js';
import { generateAnchors } from '../../src/models/detection/anchors.js';
import { decodeBox, encodeBox, generalizedIou, nonMaxSuppression } from '../../src/models/detection/boxes.js';
import { anchorsOf, assignAnchors, decodeDetections, detectionTask, lossNormalizer } from '../../src/models/detection/task.js';
import { buildRetinaNet, retinaAnchors } from '../../src/models/architectures/retinanet.js';
import { boxIou, diceScore, meanAveragePrecision, rocAucScore } from '../../src/models/evaluation.js';
import { TrainingRunner } from '../../src/models/training/runner.js';
import { toInput } from '../../src/models/training/samples.js';
import { hasTorchvision, torchvisionBoxes } from './helpers.js';

/** Lesion boxes of pneumonia phantoms at 128 px, as the acceptance run draws them. */
function phantomBoxes(count: number, seed: number): Box[] {
  const boxes: Box[] = [];
  for (const s of generatePhantom({ count, size: 128, lesion: 'pneumonia', seed })) boxes.push(...s.boxes);
  return boxes;
}

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

  it('encoding then decoding returns each phantom lesion box from every anchor, and zero deltas give the anchor', () => {
    const anchors = generateAnchors(retinaAnchors(16), 128, 128);
    let worst = 0;
    for (const box of phantomBoxes(40, 11)) {
      for (const anchor of anchors) {
        const back = decodeBox(encodeBox(box, anchor), anchor);
        for (const k of ['x', 'y', 'width', 'height'] as const) worst = Math.max(worst, Math.abs(back[k] - box[k]));
      }
    }
    expect(worst).toBeLessThan(1e-9);
    const anchor = anchors[1234]!;
    const same = decodeBox([0, 0, 0, 0], anchor);
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(same[k]).toBeCloseTo(anchor[k], 12);
  });

  // torchvision.ops.box_iou / nms as the oracle (Debian's python3-torchvision): skipped only on a developer
  // machine without it; CI installs it (.ci/run), so there it always runs.
  it.runIf(hasTorchvision() || process.env.CI === 'true')('IoU and NMS agree with torchvision on clustered boxes', () => {
    const rng = createRng(21);
    const boxes: Box[] = [];
    // Clusters of jittered boxes, so that many pairs overlap around the NMS thresholds.
    for (let c = 0; c < 8; c++) {
      const cx = 20 + 90 * rng.uniform();
      const cy = 20 + 90 * rng.uniform();
      for (let k = 0; k < 8; k++) {
        const w = 10 + 25 * rng.uniform();
        const h = 10 + 25 * rng.uniform();
        boxes.push({ x: cx - w / 2 + 8 * (rng.uniform() - 0.5), y: cy - h / 2 + 8 * (rng.uniform() - 0.5), width: w, height: h, score: rng.uniform() });
      }
    }
    const thresholds = [0.3, 0.5, 0.7];
    const oracle = torchvisionBoxes(boxes, boxes.map((b) => b.score!), thresholds);
    let worst = 0;
    boxes.forEach((a, i) => boxes.forEach((b, j) => (worst = Math.max(worst, Math.abs(boxIou(a, b) - oracle.iou[i * boxes.length + j]!)))));
    expect(worst).toBeLessThan(1e-12);
    for (const t of thresholds) {
      const kept = nonMaxSuppression(boxes, t, boxes.length).map((b) => boxes.indexOf(b));
      expect(kept).toEqual(oracle.keep[String(t)]);
      expect(kept.length).toBeLessThan(boxes.length);
    }
  });
});

describe('anchors and targets', () => {
  const config = retinaAnchors(16);
  const anchors = generateAnchors(config, 64, 64);

  it('the anchors fit the phantom lesions: every box has an anchor at IoU >= 0.4 and nearly all one at >= 0.5', () => {
    const big = generateAnchors(config, 128, 128);
    const best = phantomBoxes(300, 3).map((b) => Math.max(...big.map((a) => boxIou(a, b))));
    expect(best.length).toBeGreaterThan(100);
    expect(Math.min(...best)).toBeGreaterThanOrEqual(0.4);
    expect(best.filter((v) => v >= 0.5).length / best.length).toBeGreaterThan(0.98);
  });

  it('every ground-truth box keeps at least its best anchor, whose deltas decode back to that box', () => {
    const big = generateAnchors(config, 128, 128);
    let checked = 0;
    for (const s of generatePhantom({ count: 120, size: 128, lesion: 'pneumonia', seed: 5 })) {
      if (s.boxes.length === 0) continue;
      const { label, deltas } = assignAnchors(big, s.boxes);
      const bestOf = s.boxes.map((t) => big.reduce((bi, a, i) => (boxIou(a, t) > boxIou(big[bi]!, t) ? i : bi), 0));
      s.boxes.forEach((t, j) => {
        const i = bestOf[j]!;
        // Two boxes sharing one best anchor can only both keep it when they are the same box.
        if (bestOf.indexOf(i) !== j) return;
        expect(label[i]).toBe(1);
        const back = decodeBox(deltas.subarray(i * 4, i * 4 + 4), big[i]!);
        expect(boxIou(back, t)).toBeGreaterThan(0.9999);
        checked++;
      });
      // Every positive anchor regresses onto one of the image's boxes.
      label.forEach((l, i) => {
        if (l !== 1) return;
        const back = decodeBox(deltas.subarray(i * 4, i * 4 + 4), big[i]!);
        expect(Math.max(...s.boxes.map((t) => boxIou(back, t)))).toBeGreaterThan(0.9999);
      });
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('a box no anchor overlaps by 0.4 still claims its best anchor; IoU 0.4-0.5 is ignored, below 0.4 negative', () => {
    const tiny = [{ x: 30, y: 30, width: 5, height: 5 }];
    const { label } = assignAnchors(anchors, tiny);
    const ious = anchors.map((a) => boxIou(a, tiny[0]!));
    expect(Math.max(...ious)).toBeLessThan(0.4);
    expect(label.filter((l) => l === 1).length).toBe(1);
    expect(label[ious.indexOf(Math.max(...ious))]).toBe(1);

    const box = [{ x: 16, y: 16, width: 24, height: 24 }];
    const assigned = assignAnchors(anchors, box);
    anchors.forEach((a, i) => {
      const v = boxIou(a, box[0]!);
      if (v >= 0.5) expect(assigned.label[i]).toBe(1);
      else if (v >= 0.4 && assigned.label[i] !== 1) expect(assigned.label[i]).toBe(-1);
      else if (v < 0.4 && assigned.label[i] !== 1) expect(assigned.label[i]).toBe(0);
    });
    expect([...assigned.label].filter((l) => l === -1).length).toBeGreaterThan(0);
  });

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

describe('detection targets', () => {
  const built = buildRetinaNet({ inputSize: 64, seed: 2 });
  const task = detectionTask(built);
  const blank = { pixels: new Float32Array(64 * 64), width: 64, height: 64 };

  it('weigh class and box terms by one over the batch\'s positive anchors; ignored anchors weigh nothing', () => {
    const samples = [
      { ...blank, label: 1 as const, boxes: [{ x: 10, y: 12, width: 18, height: 22 }, { x: 36, y: 30, width: 24, height: 20 }] },
      { ...blank, label: 0 as const, boxes: [] },
    ];
    const [yCls, wCls, tBox, wBox] = task.targets(samples);
    const anchors = anchorsOf(built);
    const { label } = assignAnchors(anchors, samples[0]!.boxes);
    const positives = label.filter((l) => l === 1).length;
    expect(positives).toBeGreaterThan(2);
    for (let k = 0; k < anchors.length; k++) {
      expect(yCls![k]).toBe(label[k] === 1 ? 1 : 0);
      expect(wCls![k]).toBeCloseTo(label[k] === -1 ? 0 : 1 / positives, 6);
      expect(wBox![k * 4]).toBeCloseTo(label[k] === 1 ? 1 / positives : 0, 6);
      if (label[k] !== 1) expect(tBox![k * 4]).toBe(0);
      // The negative image: every anchor a weighted negative.
      expect(wCls![anchors.length + k]).toBeCloseTo(1 / positives, 6);
    }
  });

  it('count at least one positive per image, so a batch without lesions does not outweigh the others', () => {
    expect(lossNormalizer(29, 8)).toBe(29);
    expect(lossNormalizer(3, 8)).toBe(8);
    expect(lossNormalizer(0, 8)).toBe(8);
    const [, wCls] = task.targets(Array.from({ length: 8 }, () => ({ ...blank, label: 0 as const, boxes: [] })));
    expect(Math.max(...wCls!)).toBeCloseTo(1 / 8, 6);
    expect(Math.min(...wCls!)).toBeCloseTo(1 / 8, 6);
  });
});

describe('RetinaNet at initialisation', () => {
  it('scores every anchor of phantom images near the class prior 0.01 (the prior bias is not swamped by the head weights)', async () => {
    const built = buildRetinaNet({ inputSize: 128, seed: 1 });
    const runner = await TrainingRunner.create(built, detectionTask(built).loss, { threads: 1 });
    const images = [...generatePhantom({ count: 4, size: 128, lesion: 'pneumonia', seed: 3 })].map((s) => ({ pixels: s.image.pixels, width: 128, height: 128 }));
    const { output } = await runner.predict(toInput(images, built.preprocessing));
    await runner.dispose();
    const scores: number[] = [];
    for (let i = 0; i < output.data.length; i += 5) scores.push(1 / (1 + Math.exp(-output.data[i]!)));
    scores.sort((a, b) => a - b);
    expect(scores.length).toBe(4 * anchorsOf(built).length);
    // He-initialised final convs scored anchors anywhere in (0, 1): step-0 focal loss ~60 instead of ~1.
    expect(scores[scores.length - 1]!).toBeLessThan(0.1);
    expect(scores[Math.floor(scores.length / 2)]!).toBeGreaterThan(0.005);
    expect(scores[Math.floor(scores.length / 2)]!).toBeLessThan(0.02);
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

  it('mAP@0.5 over several images: duplicates, misses and the 0.5 boundary, computed by hand', () => {
    const a1 = { x: 0, y: 0, width: 10, height: 10 };
    const a2 = { x: 20, y: 20, width: 10, height: 10 };
    const b1 = { x: 0, y: 0, width: 10, height: 10 };
    const c1 = { x: 40, y: 40, width: 10, height: 10 };
    const images = [
      {
        truth: [a1, a2],
        detections: [
          { ...a1, score: 0.9 }, // TP
          { x: 1, y: 0, width: 10, height: 10, score: 0.8 }, // duplicate of a1 (IoU 0.82): FP
          { x: 60, y: 60, width: 10, height: 10, score: 0.6 }, // FP
          { x: 20, y: 25, width: 10, height: 10, score: 0.5 }, // IoU with a2 exactly 50/150 = 1/3: FP
          { x: 22, y: 20, width: 10, height: 10, score: 0.4 }, // IoU 80/120 = 2/3: TP
        ],
      },
      { truth: [b1], detections: [{ x: 0, y: 0, width: 10, height: 20, score: 0.7 }] }, // IoU exactly 0.5: TP
      { truth: [c1], detections: [] }, // missed
    ];
    // Ranked: TP .9, FP .8, TP .7, FP .6, FP .5, TP .4 -> precision 1, 1/2, 2/3, 1/2, 2/5, 1/2 at recall 1/4 ... 3/4;
    // made monotone from the right: 1, 2/3, 2/3, 1/2, 1/2, 1/2; AP = (1 + 2/3 + 1/2) / 4.
    expect(meanAveragePrecision(images)).toBeCloseTo((1 + 2 / 3 + 1 / 2) / 4, 12);
  });
});
