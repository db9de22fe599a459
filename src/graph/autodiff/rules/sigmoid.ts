/** Gradient of Sigmoid from its forward output y: dx = dy * y * (1 - y). */
import { emit1, scalar } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Sigmoid: dx = dy * y * (1 - y). */
export const sigmoidRule: GradientRule = {
  opTypes: ['Sigmoid'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    if (!dy || !ctx.needsGrad[0]) return [undefined];
    const y = ctx.node.outputs[0]!;
    const oneMinusY = emit1(ctx, 'Sub', [scalar(ctx, 1, ctx.dtype(y)), y]);
    return [emit1(ctx, 'Mul', [dy, emit1(ctx, 'Mul', [y, oneMinusY])])];
  },
};
