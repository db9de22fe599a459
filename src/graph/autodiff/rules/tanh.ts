/** Gradient of Tanh from its forward output y: dx = dy * (1 - y^2). */
import { emit1, scalar } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Tanh: dx = dy * (1 - y * y). */
export const tanhRule: GradientRule = {
  opTypes: ['Tanh'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    if (!dy || !ctx.needsGrad[0]) return [undefined];
    const y = ctx.node.outputs[0]!;
    const oneMinusY2 = emit1(ctx, 'Sub', [scalar(ctx, 1, ctx.dtype(y)), emit1(ctx, 'Mul', [y, y])]);
    return [emit1(ctx, 'Mul', [dy, oneMinusY2])];
  },
};
