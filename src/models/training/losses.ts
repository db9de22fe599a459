/**
 * Losses, each twice: its value in TypeScript (from the fetched outputs) and its gradient with respect to
 * the output as ONNX nodes (spliced into the training graph, see seed-graph.ts). Normalisation (batch
 * mean, class balance, positives-only box regression) is carried by per-element weights in the targets,
 * prepared by the task, so every loss here is a weighted sum.
 */
import type { TensorValue } from '../../engine/training-session.js';
import type { Dim } from '../../graph/ir.js';
import type { SeedEmitter } from './seed-graph.js';

/** A loss: the targets it needs, its value, and its gradient as graph nodes. */
export interface LossFunction {
  readonly id: string;
  /** Dims of each target input, given the output's dims. */
  targetDims(outputDims: readonly Dim[]): Dim[][];
  /** Emits nodes computing dLoss/dOutput; returns the gradient tensor (same shape as `output`). */
  emitGradient(e: SeedEmitter, output: string, targets: readonly string[]): string;
  /** The loss value for a fetched output and its targets. */
  value(output: TensorValue, targets: readonly Float32Array[]): number;
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Softmax cross-entropy over the last axis of [N, K] logits. Target: `t[i, k] = w_i * onehot`, the row
 * weights summing to 1 (so the loss is the weighted batch mean): L = -sum t * log softmax(z).
 */
export const softmaxCrossEntropy: LossFunction = {
  id: 'softmax-cross-entropy',
  targetDims: (dims) => [[...dims]],
  emitGradient(e, z, [t]) {
    const softmax = e.op('Softmax', [z], { axis: { type: 'int', value: -1 } });
    return e.sub(e.mul(softmax, e.reduceSum(t!, [-1])), t!);
  },
  value(z, [t]) {
    const k = z.dims[z.dims.length - 1]!;
    let loss = 0;
    for (let row = 0; row < z.data.length / k; row++) {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, z.data[row * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(z.data[row * k + j]! - max);
      const logSum = max + Math.log(sum);
      for (let j = 0; j < k; j++) loss -= t![row * k + j]! * (z.data[row * k + j]! - logSum);
    }
    return loss;
  },
};

/** Sigmoid binary cross-entropy on logits, elementwise, weighted: L = sum w * (softplus(z) - z*y). Targets: y, w. */
export const sigmoidCrossEntropy: LossFunction = {
  id: 'sigmoid-cross-entropy',
  targetDims: (dims) => [[...dims], [...dims]],
  emitGradient(e, z, [y, w]) {
    return e.mul(w!, e.sub(e.sigmoid(z), y!));
  },
  value(z, [y, w]) {
    let loss = 0;
    for (let i = 0; i < z.data.length; i++) {
      const wi = w![i]!;
      if (wi !== 0) loss += wi * (softplus(z.data[i]!) - z.data[i]! * y![i]!);
    }
    return loss;
  },
};

/**
 * Sigmoid focal loss (Lin et al. 2017, https://arxiv.org/abs/1708.02002), weighted:
 * L = sum w * (-alpha_t (1 - p_t)^gamma log p_t). Targets: y (0/1), w (0 = ignored).
 */
export function focalLoss(alpha = 0.25, gamma = 2): LossFunction {
  return {
    id: 'focal',
    targetDims: (dims) => [[...dims], [...dims]],
    emitGradient(e, z, [y, w]) {
      // d/dz for y=1: alpha (1-p)^g (g p log p - (1-p)); for y=0: (1-alpha) p^g (p - g (1-p) log(1-p)).
      const p = e.sigmoid(z);
      const q = e.oneMinus(p);
      const pos = e.mul(e.mul(e.scalar(alpha), e.pow(q, gamma)), e.sub(e.mul(e.scalar(gamma), e.mul(p, e.safeLog(p))), q));
      const neg = e.mul(e.mul(e.scalar(1 - alpha), e.pow(p, gamma)), e.sub(p, e.mul(e.scalar(gamma), e.mul(q, e.safeLog(q)))));
      return e.mul(w!, e.add(e.mul(y!, pos), e.mul(e.oneMinus(y!), neg)));
    },
    value(z, [y, w]) {
      let loss = 0;
      for (let i = 0; i < z.data.length; i++) {
        const wi = w![i]!;
        if (wi === 0) continue;
        const zi = z.data[i]!;
        const p = sigmoid(zi);
        const positive = y![i]! > 0.5;
        const pt = positive ? p : 1 - p;
        const logPt = positive ? -softplus(-zi) : -softplus(zi);
        loss += wi * -(positive ? alpha : 1 - alpha) * (1 - pt) ** gamma * logPt;
      }
      return loss;
    },
  };
}

/** Smooth-L1 (Huber with threshold beta), weighted: L = sum w * huber(z - t). Targets: t, w. */
export function smoothL1Loss(beta = 1 / 9): LossFunction {
  return {
    id: 'smooth-l1',
    targetDims: (dims) => [[...dims], [...dims]],
    emitGradient(e, z, [t, w]) {
      const d = e.div(e.sub(z, t!), e.scalar(beta));
      return e.mul(w!, e.op('Clip', [d, e.scalar(-1), e.scalar(1)]));
    },
    value(z, [t, w]) {
      let loss = 0;
      for (let i = 0; i < z.data.length; i++) {
        const wi = w![i]!;
        if (wi === 0) continue;
        const d = Math.abs(z.data[i]! - t![i]!);
        loss += wi * (d < beta ? (0.5 * d * d) / beta : d - 0.5 * beta);
      }
      return loss;
    },
  };
}

/**
 * Soft Dice + BCE for [N, 1, H, W] mask logits: L = sum w_bce * bce + sum_i v_i (1 - dice_i), with
 * dice_i = (2 sum p y + 1) / (sum p + sum y + 1). Targets: y, w_bce (like y), v ([N, 1, 1, 1]).
 */
export const diceBceLoss: LossFunction = {
  id: 'dice-bce',
  targetDims: (dims) => [[...dims], [...dims], [dims[0] ?? null, 1, 1, 1]],
  emitGradient(e, z, [y, w, v]) {
    const p = e.sigmoid(z);
    const bce = e.mul(w!, e.sub(p, y!));
    const axes = [1, 2, 3];
    const inter = e.reduceSum(e.mul(p, y!), axes);
    const s = e.add(e.add(e.reduceSum(p, axes), e.reduceSum(y!, axes)), e.scalar(1));
    // d(1 - dice)/dp = ((2I + 1) - 2 y S) / S^2; times dp/dz = p (1 - p).
    const num = e.sub(e.add(e.mul(e.scalar(2), inter), e.scalar(1)), e.mul(e.mul(e.scalar(2), y!), s));
    const dDice = e.mul(e.div(num, e.mul(s, s)), e.mul(p, e.oneMinus(p)));
    return e.add(bce, e.mul(v!, dDice));
  },
  value(z, [y, w, v]) {
    const n = z.dims[0]!;
    const per = z.data.length / n;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let inter = 0;
      let sp = 0;
      let sy = 0;
      for (let j = i * per; j < (i + 1) * per; j++) {
        const zj = z.data[j]!;
        const p = sigmoid(zj);
        loss += w![j]! * (softplus(zj) - zj * y![j]!);
        inter += p * y![j]!;
        sp += p;
        sy += y![j]!;
      }
      loss += v![i]! * (1 - (2 * inter + 1) / (sp + sy + 1));
    }
    return loss;
  },
};

/** Losses applied to consecutive slices of the last axis (e.g. RetinaNet: focal on K class scores, smooth-L1 on 4 box deltas); targets are the parts' targets in order. */
export function slicedLoss(parts: readonly { readonly size: number; readonly loss: LossFunction }[]): LossFunction {
  const ranges = parts.map((_, i) => {
    const start = parts.slice(0, i).reduce((a, p) => a + p.size, 0);
    return [start, start + parts[i]!.size] as const;
  });
  const partDims = (dims: readonly Dim[], size: number): Dim[] => [...dims.slice(0, -1), size];
  return {
    id: parts.map((p) => p.loss.id).join('+'),
    targetDims: (dims) => parts.flatMap((p) => p.loss.targetDims(partDims(dims, p.size))),
    emitGradient(e, z, targets) {
      let k = 0;
      const grads = parts.map((p, i) => {
        const count = p.loss.targetDims([]).length;
        const mine = targets.slice(k, k + count);
        k += count;
        return p.loss.emitGradient(e, e.sliceLast(z, ranges[i]![0], ranges[i]![1]), mine);
      });
      return e.op('Concat', grads, { axis: { type: 'int', value: -1 } });
    },
    value(z, targets) {
      let k = 0;
      let total = 0;
      parts.forEach((p, i) => {
        const count = p.loss.targetDims([]).length;
        total += p.loss.value(sliceLast(z, ranges[i]![0], ranges[i]![1]), targets.slice(k, k + count));
        k += count;
      });
      return total;
    },
  };
}

/** Copies [start, end) of the last axis of a tensor. */
export function sliceLast(t: TensorValue, start: number, end: number): TensorValue {
  const last = t.dims[t.dims.length - 1]!;
  const rows = t.data.length / last;
  const width = end - start;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(t.data.subarray(r * last + start, r * last + end), r * width);
  return { data: out, dims: [...t.dims.slice(0, -1), width] };
}
