/** Gradient of LeakyRelu: dy where x > 0, alpha * dy elsewhere (the x = 0 kink takes the alpha side). */
import { emit1, scalar } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrFloat } from './rule-utils.js';

/** LeakyRelu: dx = where(x > 0, dy, alpha * dy). */
export const leakyReluRule: GradientRule = {
  opTypes: ['LeakyRelu'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    const x = ctx.node.inputs[0]!;
    if (!dy || !ctx.needsGrad[0]) return [undefined];
    const dtype = ctx.dtype(x);
    const alpha = attrFloat(ctx.node, 'alpha', 0.01);
    const positive = emit1(ctx, 'Greater', [x, scalar(ctx, 0, dtype)]);
    return [emit1(ctx, 'Where', [positive, dy, emit1(ctx, 'Mul', [dy, scalar(ctx, alpha, dtype)])])];
  },
};
