/**
 * Gradient of Slice: put dy back at the selected positions, zeros elsewhere. Each sliced axis is undone
 * separately (a Pad for a contiguous run, Pad + Gather with the inverse map for steps other than 1,
 * including negative steps). Needs constant starts/ends/axes/steps (attributes before opset 10) and
 * static sizes of the sliced axes; the batch axis may stay dynamic when it is not sliced.
 */
import { pad } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInts, constantInput, firstInputGradient, incomingGradient, normAxis, requireDim, requireShape, scatterAlongAxis } from './rule-utils.js';

// Exporters write "to the end" as INT32_MAX or INT64_MAX.
const OPEN_END = 2 ** 31 - 1;

/** The indices ONNX Slice selects along an axis of size `size`. */
export function slicePositions(size: number, start: number, end: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, size);
    e = clamp(e, 0, size);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    s = clamp(s, -1, size - 1);
    e = clamp(e, -1, size - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

/** Slice: dx = dy scattered back into zeros of x's shape. */
export const sliceRule: GradientRule = {
  opTypes: ['Slice'],
  backward(ctx) {
    const { node } = ctx;
    const dy = incomingGradient(ctx);
    if (!dy) return firstInputGradient(ctx, undefined);
    const x = node.inputs[0]!;
    const rank = requireShape(ctx, x).length;
    let starts: number[];
    let ends: number[];
    let axes: number[] | undefined;
    let steps: number[] | undefined;
    if (ctx.opset < 10) {
      starts = attrInts(node, 'starts') ?? [];
      ends = attrInts(node, 'ends') ?? [];
      axes = attrInts(node, 'axes');
    } else {
      starts = constantInput(ctx, 1, 'the starts')!;
      ends = constantInput(ctx, 2, 'the ends')!;
      axes = constantInput(ctx, 3, 'the axes');
      steps = constantInput(ctx, 4, 'the steps');
    }
    let grad = dy;
    // Undo axes in reverse order; per-axis scatters commute, the order only fixes intermediate shapes.
    for (let i = starts.length - 1; i >= 0; i--) {
      const axis = normAxis(axes?.[i] ?? i, rank);
      const step = steps?.[i] ?? 1;
      const dim = ctx.shape(x)?.[axis];
      if (typeof dim !== 'number' && step === 1 && starts[i]! >= 0) {
        // A dynamic axis (the batch) cut by a non-negative start and an end counted from the back
        // (or "to the end") needs no size: pad the cut parts back.
        const end = ends[i]!;
        if (end >= OPEN_END || (end < 0 && end > -OPEN_END)) {
          const pads = new Array<number>(2 * rank).fill(0);
          pads[axis] = starts[i]!;
          pads[axis + rank] = end < 0 ? -end : 0;
          if (pads.some((p) => p > 0)) grad = pad(ctx, grad, pads);
          continue;
        }
      }
      const size = requireDim(ctx, x, axis);
      const picked = slicePositions(size, starts[i]!, ends[i]!, step);
      if (picked.length === size && picked.every((p, j) => p === j)) continue;
      grad = scatterAlongAxis(ctx, grad, axis, rank, size, picked);
    }
    return firstInputGradient(ctx, grad);
  },
};
