/** Gradient of Flatten: reshape the gradient back to the input's shape. */
import type { GradientRule } from '../rule.js';
import { reshapeAs } from './rule-utils.js';

/** Flatten: dX = reshape(dY, shape(X)). */
export const flattenRule: GradientRule = {
  opTypes: ['Flatten'],
  backward(ctx) {
    const dy = ctx.outputGrads[0]!;
    return [reshapeAs(ctx, dy, ctx.node.outputs[0]!, ctx.node.inputs[0]!)];
  },
};
