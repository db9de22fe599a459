/**
 * Gradient of Pad. constant mode: crop dy back to x (negative pads, i.e. crops, become zero padding).
 * reflect and edge: per padded axis, add the mirrored (reflect) or summed (edge) border slices of dy
 * onto the interior; needs static sizes of the padded axes. wrap (opset 19) is not supported. Pads
 * (and opset 18 axes) are attributes before opset 11 and constant inputs from 11.
 */
import { emit1, pad, reduceSum, slice } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { attrInts, attrString, constantInput, firstInputGradient, incomingGradient, normAxis, requireDim, requireShape, unsupportedVariantError } from './rule-utils.js';

const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** Adjoint of reflect/edge padding along one axis (begin pad b, end pad e, original size `size`). */
function unpadAxis(ctx: GradContext, g: string, axis: number, rank: number, size: number, b: number, e: number, mode: string): string {
  const interior = slice(ctx, g, [b], [b + size], [axis]);
  const place = (part: string, begin: number, end: number) => {
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = begin;
    pads[axis + rank] = end;
    return pad(ctx, part, pads);
  };
  let dx = interior;
  if (mode === 'reflect') {
    // y[b - 1 - j] = x[1 + j] and y[b + size + j] = x[size - 2 - j].
    if (b > 0) dx = emit1(ctx, 'Add', [dx, place(slice(ctx, g, [b - 1], [-INT64_MAX], [axis], [-1]), 1, size - 1 - b)]);
    if (e > 0) dx = emit1(ctx, 'Add', [dx, place(slice(ctx, g, [b + size + e - 1], [b + size - 1], [axis], [-1]), size - 1 - e, 1)]);
  } else {
    if (b > 0) dx = emit1(ctx, 'Add', [dx, place(reduceSum(ctx, slice(ctx, g, [0], [b], [axis]), [axis], true), 0, size - 1)]);
    if (e > 0) dx = emit1(ctx, 'Add', [dx, place(reduceSum(ctx, slice(ctx, g, [b + size], [b + size + e], [axis]), [axis], true), size - 1, 0)]);
  }
  return dx;
}

/** Pad: dx = the part of dy that came from x (plus mirrored/edge contributions). */
export const padRule: GradientRule = {
  opTypes: ['Pad'],
  backward(ctx) {
    const { node } = ctx;
    const dy = incomingGradient(ctx);
    if (!dy) return firstInputGradient(ctx, undefined);
    const x = node.inputs[0]!;
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw unsupportedVariantError(ctx, `Pad mode "${mode}"`, 'constant, reflect, edge');
    const raw = ctx.opset < 11 ? (attrInts(node, 'pads') ?? []) : (constantInput(ctx, 1, 'the pads') ?? []);
    const axesGiven = ctx.opset >= 18 ? constantInput(ctx, 3, 'the axes') : undefined;
    const count = raw.length / 2;
    const rank = axesGiven ? requireShape(ctx, x).length : count;
    const axes = axesGiven ? axesGiven.map((a) => normAxis(a, rank)) : Array.from({ length: count }, (_, i) => i);
    const begins = new Array<number>(rank).fill(0);
    const ends = new Array<number>(rank).fill(0);
    axes.forEach((a, i) => {
      begins[a] = raw[i]!;
      ends[a] = raw[i + count]!;
    });
    if (mode === 'constant') {
      // Crops in the forward (negative pads) are zero-padded back first, then the pads are cut away.
      const undo = [...begins.map((p) => Math.max(0, -p)), ...ends.map((p) => Math.max(0, -p))];
      const g = undo.some((p) => p > 0) ? pad(ctx, dy, undo) : dy;
      const sliced = begins.map((_, a) => a).filter((a) => begins[a]! > 0 || ends[a]! > 0);
      if (sliced.length === 0) return firstInputGradient(ctx, g);
      const starts = sliced.map((a) => Math.max(0, begins[a]!));
      const stops = sliced.map((a) => (ends[a]! > 0 ? -ends[a]! : INT64_MAX));
      return firstInputGradient(ctx, slice(ctx, g, starts, stops, sliced));
    }
    let g = dy;
    for (let a = 0; a < rank; a++) {
      if (begins[a] === 0 && ends[a] === 0) continue;
      if (begins[a]! < 0 || ends[a]! < 0) throw unsupportedVariantError(ctx, `negative pads in ${mode} mode`, 'non-negative pads');
      g = unpadAxis(ctx, g, a, rank, requireDim(ctx, x, a), begins[a]!, ends[a]!, mode);
    }
    return firstInputGradient(ctx, g);
  },
};
