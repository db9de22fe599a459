/**
 * Gradients of the ops that only rearrange a tensor's shape: Reshape, Squeeze and Unsqueeze (axes as
 * an attribute or, from opset 13, an input). Each is dx = Reshape(dy, Shape(x)); the shape/axes
 * inputs get no gradient.
 */
import { reshapeLike } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Reshape, Squeeze, Unsqueeze: dx = Reshape(dy, Shape(x)). */
export const reshapeRule: GradientRule = {
  opTypes: ['Reshape', 'Squeeze', 'Unsqueeze'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    const rest = ctx.node.inputs.slice(1).map(() => undefined);
    if (!dy || !ctx.needsGrad[0]) return [undefined, ...rest];
    return [reshapeLike(ctx, dy, ctx.node.inputs[0]!), ...rest];
  },
};
