/**
 * Box arithmetic of the detector: delta encoding against anchors (Faster R-CNN parametrisation with the
 * usual standard deviations 0.1 / 0.2), IoU and generalised IoU (Rezatofighi et al. 2019,
 * https://arxiv.org/abs/1902.09630), and greedy non-maximum suppression.
 */
import type { Box } from '../../core/types.js';
import { boxIou } from '../evaluation.js';

/** Standard deviations dividing the encoded deltas (x, y, w, h). */
export const DELTA_STD = [0.1, 0.1, 0.2, 0.2] as const;

/** Deltas (dx, dy, dw, dh) that move `anchor` onto `box`. */
export function encodeBox(box: Box, anchor: Box): [number, number, number, number] {
  const ax = anchor.x + anchor.width / 2;
  const ay = anchor.y + anchor.height / 2;
  const bx = box.x + box.width / 2;
  const by = box.y + box.height / 2;
  return [
    (bx - ax) / anchor.width / DELTA_STD[0],
    (by - ay) / anchor.height / DELTA_STD[1],
    Math.log(box.width / anchor.width) / DELTA_STD[2],
    Math.log(box.height / anchor.height) / DELTA_STD[3],
  ];
}

/** The box `deltas` make of `anchor` (log-size deltas clamped so boxes stay finite). */
export function decodeBox(deltas: ArrayLike<number>, anchor: Box): Box {
  const clampLog = Math.log(1000 / 16);
  const cx = anchor.x + anchor.width / 2 + deltas[0]! * DELTA_STD[0] * anchor.width;
  const cy = anchor.y + anchor.height / 2 + deltas[1]! * DELTA_STD[1] * anchor.height;
  const w = anchor.width * Math.exp(Math.min(deltas[2]! * DELTA_STD[2], clampLog));
  const h = anchor.height * Math.exp(Math.min(deltas[3]! * DELTA_STD[3], clampLog));
  return { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
}

/** Generalised IoU: IoU minus the share of the enclosing box not covered by the union (in [-1, 1]). */
export function generalizedIou(a: Box, b: Box): number {
  const iou = boxIou(a, b);
  const inter = iou > 0 ? (iou * (a.width * a.height + b.width * b.height)) / (1 + iou) : 0;
  const union = a.width * a.height + b.width * b.height - inter;
  const cw = Math.max(a.x + a.width, b.x + b.width) - Math.min(a.x, b.x);
  const ch = Math.max(a.y + a.height, b.y + b.height) - Math.min(a.y, b.y);
  const enclosing = cw * ch;
  return enclosing > 0 ? iou - (enclosing - union) / enclosing : iou;
}

/** GIoU loss of a predicted box against its target: 1 - GIoU. */
export function giouLoss(predicted: Box, target: Box): number {
  return 1 - generalizedIou(predicted, target);
}

/** Greedy NMS: keeps the highest-scoring boxes, dropping any overlapping a kept one with IoU > `iou`. */
export function nonMaxSuppression(boxes: readonly Box[], iou = 0.5, maxKeep = 100): Box[] {
  const sorted = [...boxes].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const kept: Box[] = [];
  for (const box of sorted) {
    if (kept.length >= maxKeep) break;
    if (kept.every((k) => boxIou(k, box) <= iou)) kept.push(box);
  }
  return kept;
}

/** Clips a box to the image. */
export function clipBox(b: Box, width: number, height: number): Box {
  const x0 = Math.max(0, Math.min(width, b.x));
  const y0 = Math.max(0, Math.min(height, b.y));
  const x1 = Math.max(0, Math.min(width, b.x + b.width));
  const y1 = Math.max(0, Math.min(height, b.y + b.height));
  return { ...b, x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
