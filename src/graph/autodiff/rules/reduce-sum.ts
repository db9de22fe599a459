/**
 * Gradient of ReduceSum: broadcast dy back over the reduced axes (Unsqueeze them when keepdims=0, then
 * Expand to Shape(x)). Axes are an attribute before opset 13 and an optional constant input from 13;
 * empty axes reduce everything, unless noop_with_empty_axes=1 makes the op an identity.
 */
import { emit1, unsqueeze } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInt, attrInts, constantInput, firstInputGradient, incomingGradient } from './rule-utils.js';

/** ReduceSum: dx = Expand(Unsqueeze(dy, axes), Shape(x)). */
export const reduceSumRule: GradientRule = {
  opTypes: ['ReduceSum'],
  backward(ctx) {
    const { node } = ctx;
    const dy = incomingGradient(ctx);
    if (!dy) return firstInputGradient(ctx, undefined);
    const x = node.inputs[0]!;
    const axes = (ctx.opset >= 13 ? constantInput(ctx, 1, 'the axes') : attrInts(node, 'axes')) ?? [];
    if (axes.length === 0 && attrInt(node, 'noop_with_empty_axes', 0) === 1) return firstInputGradient(ctx, dy);
    const keepdims = attrInt(node, 'keepdims', 1) === 1;
    // Reducing all axes without keepdims gives a scalar, which Expand broadcasts directly.
    const widened = keepdims || axes.length === 0 ? dy : unsqueeze(ctx, dy, axes);
    return firstInputGradient(ctx, emit1(ctx, 'Expand', [widened, emit1(ctx, 'Shape', [x])]));
  },
};
