/**
 * The scores that select checkpoints during training: ROC-AUC of the positive-class probability
 * (Mann-Whitney, ties counted half), mean Dice of thresholded masks, and mAP@0.5 of detections. The full
 * evaluation with bootstrap intervals lives in `metrics/` and is run by the jobs layer.
 */
import type { Box } from '../core/types.js';

/** ROC-AUC of scores for 0/1 labels (NaN when one class is missing). */
export function rocAucScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]!]) {
      pos++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Dice of a probability map thresholded at `threshold` against a binary mask; 1 when both are empty. */
export function diceScore(probability: ArrayLike<number>, mask: ArrayLike<number>, threshold = 0.5): number {
  let inter = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < mask.length; i++) {
    const p = probability[i]! >= threshold ? 1 : 0;
    const m = mask[i] ? 1 : 0;
    inter += p * m;
    a += p;
    b += m;
  }
  return a + b === 0 ? 1 : (2 * inter) / (a + b);
}

/** Intersection over union of two boxes. */
export function boxIou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Average precision at IoU 0.5 over a set of images (VOC-style all-point interpolation): detections of
 * every image ranked by score, a detection is a true positive when it matches a not-yet-matched ground
 * truth box with IoU >= `iou`. NaN when there is no ground-truth box.
 */
export function meanAveragePrecision(images: readonly { readonly detections: readonly Box[]; readonly truth: readonly Box[] }[], iou = 0.5): number {
  const all: { score: number; image: number; box: Box }[] = [];
  let totalTruth = 0;
  images.forEach((im, image) => {
    totalTruth += im.truth.length;
    for (const box of im.detections) all.push({ score: box.score ?? 0, image, box });
  });
  if (totalTruth === 0) return NaN;
  all.sort((a, b) => b.score - a.score);
  const used = images.map((im) => new Array<boolean>(im.truth.length).fill(false));
  const precision: number[] = [];
  const recall: number[] = [];
  let tp = 0;
  all.forEach((d, k) => {
    let best = -1;
    let bestIou = iou;
    images[d.image]!.truth.forEach((t, j) => {
      const v = boxIou(d.box, t);
      if (v >= bestIou && !used[d.image]![j]) {
        bestIou = v;
        best = j;
      }
    });
    if (best >= 0) {
      used[d.image]![best] = true;
      tp++;
    }
    precision.push(tp / (k + 1));
    recall.push(tp / totalTruth);
  });
  // All-point interpolation: precision made monotone from the right, summed over recall steps.
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < precision.length; i++) {
    ap += (recall[i]! - prevRecall) * precision[i]!;
    prevRecall = recall[i]!;
  }
  return ap;
}
