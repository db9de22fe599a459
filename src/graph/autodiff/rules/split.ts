/**
 * Gradient of Split: concatenate the output gradients along the split axis, with zeros (of the forward
 * output's runtime shape) for outputs no gradient reaches. Split sizes (attribute before opset 13,
 * input from 13, `num_outputs` from 18) do not matter backward.
 */
import { emit1, int } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInt, zerosLike } from './rule-utils.js';

/** Split: dx = Concat(dy_0, ..., dy_k) along the axis. */
export const splitRule: GradientRule = {
  opTypes: ['Split'],
  backward(ctx) {
    const { node } = ctx;
    const rest = node.inputs.slice(1).map(() => undefined);
    if (!ctx.needsGrad[0] || ctx.outputGrads.every((g) => !g)) return [undefined, ...rest];
    const parts = node.outputs.map((out, i) => ctx.outputGrads[i] ?? zerosLike(ctx, out));
    return [emit1(ctx, 'Concat', parts, { axis: int(attrInt(node, 'axis', 0)) }), ...rest];
  },
};
