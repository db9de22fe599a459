/**
 * RetinaNet training and inference on top of the generic trainer: anchor assignment (IoU >= 0.5
 * positive, < 0.4 negative, in between ignored; every ground-truth box also claims its best anchor),
 * focal loss on class logits normalised by the batch's positives (at least one per image), smooth-L1 on
 * the positives' box deltas, and decoding with score threshold and NMS; checkpoints are selected on mAP@0.5.
 */
import type { Box } from '../../core/types.js';
import type { BuiltModel } from '../architecture.js';
import { boxIou, meanAveragePrecision } from '../evaluation.js';
import { focalLoss, slicedLoss, smoothL1Loss } from '../training/losses.js';
import type { TrainingRunner } from '../training/runner.js';
import { type SampleSource, type TrainingSample, toInput } from '../training/samples.js';
import type { TrainingTask } from '../training/tasks.js';
import { type AnchorConfig, generateAnchors } from './anchors.js';
import { clipBox, decodeBox, encodeBox, nonMaxSuppression } from './boxes.js';

/** Decoding settings. */
export interface DecodeOptions {
  /** Keep detections scoring above this (default 0.05). */
  readonly scoreThreshold?: number;
  /** NMS IoU (default 0.5). */
  readonly nmsIou?: number;
  /** Most detections per image (default 100). */
  readonly maxDetections?: number;
}

/** Anchors of a built RetinaNet (from its settings). */
export function anchorsOf(built: Pick<BuiltModel, 'settings' | 'inputSize'>): Box[] {
  return generateAnchors(built.settings.anchors as AnchorConfig, built.inputSize[0], built.inputSize[1]);
}

/** Per-anchor targets of one image: class target, box deltas and whether the anchor is positive/ignored. */
export function assignAnchors(anchors: readonly Box[], truth: readonly Box[]): { label: Int8Array; deltas: Float32Array } {
  // label: 1 positive, 0 negative, -1 ignored.
  const label = new Int8Array(anchors.length);
  const deltas = new Float32Array(anchors.length * 4);
  if (truth.length === 0) return { label, deltas };
  const bestForTruth = new Array<number>(truth.length).fill(-1);
  const bestIouForTruth = new Array<number>(truth.length).fill(0);
  const match = new Int32Array(anchors.length).fill(-1);
  anchors.forEach((a, i) => {
    let best = -1;
    let bestIou = 0;
    truth.forEach((t, j) => {
      const v = boxIou(a, t);
      if (v > bestIou) {
        bestIou = v;
        best = j;
      }
      if (v > bestIouForTruth[j]!) {
        bestIouForTruth[j] = v;
        bestForTruth[j] = i;
      }
    });
    if (bestIou >= 0.5) {
      label[i] = 1;
      match[i] = best;
    } else if (bestIou >= 0.4) label[i] = -1;
  });
  bestForTruth.forEach((i, j) => {
    if (i >= 0) {
      label[i] = 1;
      match[i] = j;
    }
  });
  match.forEach((j, i) => {
    if (j >= 0) deltas.set(encodeBox(truth[j]!, anchors[i]!), i * 4);
  });
  return { label, deltas };
}

/** Detections of one image from its head output rows ([anchors, classes + 4]); class 0 scores. */
export function decodeDetections(head: Float32Array, anchors: readonly Box[], classes: number, size: readonly [number, number], options: DecodeOptions = {}): Box[] {
  const threshold = options.scoreThreshold ?? 0.05;
  const stride = classes + 4;
  const candidates: Box[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const z = head[i * stride]!;
    const score = 1 / (1 + Math.exp(-z));
    if (score < threshold) continue;
    const b = clipBox(decodeBox(head.subarray(i * stride + classes, i * stride + classes + 4), anchors[i]!), size[1], size[0]);
    if (b.width > 0 && b.height > 0) candidates.push({ ...b, score });
  }
  candidates.sort((a, b) => b.score! - a.score!);
  return nonMaxSuppression(candidates.slice(0, 1000), options.nmsIou ?? 0.5, options.maxDetections ?? 100);
}

/** Runs the detector on a source and returns each sample's detections. */
export async function detect(runner: TrainingRunner, source: SampleSource, batchSize: number, options: DecodeOptions = {}): Promise<{ detections: Box[]; truth: Box[] }[]> {
  const built = runner.built;
  const anchors = anchorsOf(built);
  const classes = (built.settings.objectClasses as number | undefined) ?? 1;
  const out: { detections: Box[]; truth: Box[] }[] = [];
  for (let start = 0; start < source.length; start += batchSize) {
    const samples: TrainingSample[] = [];
    for (let i = start; i < Math.min(source.length, start + batchSize); i++) samples.push(await source.load(i));
    const { output } = await runner.predict(toInput(samples, built.preprocessing));
    const per = output.data.length / samples.length;
    samples.forEach((s, r) => out.push({ detections: decodeDetections(output.data.subarray(r * per, (r + 1) * per), anchors, classes, built.inputSize, options), truth: [...(s.boxes ?? [])] }));
  }
  return out;
}

/** Loss settings of the detection task. */
export interface DetectionLossOptions {
  /** Focal loss alpha (default 0.25) and gamma (default 2), the paper's. */
  readonly alpha?: number;
  readonly gamma?: number;
  /** Smooth-L1 threshold on the encoded deltas (default 1/9). */
  readonly beta?: number;
}

/**
 * The normaliser of a batch's losses: its positive anchors, but at least one per image. With the bare
 * count (floored at 1) a batch that happens to hold no lesion weighed each of its ~24k negatives 30-50x
 * more than a typical batch does, and one such Adam step cut the top scores of lesions by ~0.1.
 */
export function lossNormalizer(positives: number, images: number): number {
  return Math.max(positives, images, 1);
}

/** The RetinaNet training task for a built RetinaNet (single object class). */
export function detectionTask(built: BuiltModel, options: DetectionLossOptions = {}): TrainingTask {
  const anchors = anchorsOf(built);
  const classes = (built.settings.objectClasses as number | undefined) ?? 1;
  const loss = slicedLoss([
    { size: classes, loss: focalLoss(options.alpha ?? 0.25, options.gamma ?? 2) },
    { size: 4, loss: smoothL1Loss(options.beta ?? 1 / 9) },
  ]);
  return {
    loss,
    metric: 'map50',
    targets(samples) {
      const n = samples.length;
      const a = anchors.length;
      const yCls = new Float32Array(n * a * classes);
      const wCls = new Float32Array(n * a * classes);
      const tBox = new Float32Array(n * a * 4);
      const wBox = new Float32Array(n * a * 4);
      const assigned = samples.map((s) => assignAnchors(anchors, s.boxes ?? []));
      let positives = 0;
      for (const { label } of assigned) for (const l of label) if (l === 1) positives++;
      const norm = 1 / lossNormalizer(positives, n);
      assigned.forEach(({ label, deltas }, i) => {
        for (let k = 0; k < a; k++) {
          const row = i * a + k;
          if (label[k] === -1) continue;
          for (let c = 0; c < classes; c++) {
            yCls[row * classes + c] = label[k] === 1 && c === 0 ? 1 : 0;
            wCls[row * classes + c] = norm;
          }
          if (label[k] === 1) {
            for (let j = 0; j < 4; j++) {
              tBox[row * 4 + j] = deltas[k * 4 + j]!;
              wBox[row * 4 + j] = norm;
            }
          }
        }
      });
      return [yCls, wCls, tBox, wBox];
    },
    async score(runner, source, batchSize) {
      return meanAveragePrecision(await detect(runner, source, batchSize));
    },
  };
}

