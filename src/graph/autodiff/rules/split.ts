/**
 * Gradient of Split: concatenate the output gradients along the split axis, with zeros (of the forward
 * output's runtime shape) for outputs no gradient reaches. Split sizes (attribute before opset 13,
 * input from 13, `num_outputs` from 18) do not matter backward.
 */
import { emit1, int } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInt, firstInputGradient, zerosLike } from './rule-utils.js';

/** Split: dx = Concat(dy_0, ..., dy_k) along the axis. */
export const splitRule: GradientRule = {
  opTypes: ['Split'],
  backward(ctx) {
    const { node } = ctx;
    if (!ctx.needsGrad[0] || ctx.outputGrads.every((g) => !g)) return firstInputGradient(ctx, undefined);
    const parts = node.outputs.map((out, i) => ctx.outputGrads[i] ?? zerosLike(ctx, out));
    return firstInputGradient(ctx, emit1(ctx, 'Concat', parts, { axis: int(attrInt(node, 'axis', 0)) }));
  },
};
