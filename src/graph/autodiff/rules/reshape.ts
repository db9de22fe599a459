/**
 * Gradients of the ops that only rearrange a tensor's shape: Reshape, Squeeze and Unsqueeze (axes as
 * an attribute or, from opset 13, an input). Each is dx = Reshape(dy, shape of x) (`reshapeAs`); the
 * shape/axes inputs get no gradient.
 */
import type { GradientRule } from '../rule.js';
import { reshapeAs } from './rule-utils.js';

/** Reshape, Squeeze, Unsqueeze: dx = Reshape(dy, shape of x). */
export const reshapeRule: GradientRule = {
  opTypes: ['Reshape', 'Squeeze', 'Unsqueeze'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    const rest = ctx.node.inputs.slice(1).map(() => undefined);
    if (!dy || !ctx.needsGrad[0]) return [undefined, ...rest];
    return [reshapeAs(ctx, dy, ctx.node.outputs[0]!, ctx.node.inputs[0]!), ...rest];
  },
};
