/** Gradient of Flatten: reshape the gradient back to the input's runtime shape. */
import { reshapeLike } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Flatten: dX = reshape(dY, shape(X)). */
export const flattenRule: GradientRule = {
  opTypes: ['Flatten'],
  backward(ctx) {
    const dy = ctx.outputGrads[0]!;
    return [reshapeLike(ctx, dy, ctx.node.inputs[0]!)];
  },
};
