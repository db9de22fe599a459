/**
 * Gradients of Softmax and LogSoftmax from the forward output y:
 *   Softmax:    dx = y * (dy - sum(dy * y))
 *   LogSoftmax: dx = dy - exp(y) * sum(dy)
 * with sums over the softmax axis. Before opset 13 the op works on the input coerced to 2-D at `axis`
 * (default 1), so the backward does the same: flatten, reduce over axis 1, reshape back.
 */
import { emit1, reduceSum, reshapeLike } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { attrInt } from './rule-utils.js';

function softmaxBackward(ctx: GradContext, log: boolean): (string | undefined)[] {
  const dyIn = ctx.outputGrads[0];
  if (!dyIn || !ctx.needsGrad[0]) return [undefined];
  const yIn = ctx.node.outputs[0]!;
  const legacy = ctx.opset < 13;
  const axis = attrInt(ctx.node, 'axis', legacy ? 1 : -1);
  const flat = (t: string) => emit1(ctx, 'Flatten', [t], { axis: { type: 'int', value: axis } });
  const dy = legacy ? flat(dyIn) : dyIn;
  const y = legacy ? flat(yIn) : yIn;
  const reduceAxis = legacy ? 1 : axis;
  let dx: string;
  if (log) {
    const total = reduceSum(ctx, dy, [reduceAxis], true);
    dx = emit1(ctx, 'Sub', [dy, emit1(ctx, 'Mul', [emit1(ctx, 'Exp', [y]), total])]);
  } else {
    const dot = reduceSum(ctx, emit1(ctx, 'Mul', [dy, y]), [reduceAxis], true);
    dx = emit1(ctx, 'Mul', [y, emit1(ctx, 'Sub', [dy, dot])]);
  }
  return [legacy ? reshapeLike(ctx, dx, yIn) : dx];
}

/** Softmax: dx = y * (dy - sum(dy * y, axis)). */
export const softmaxRule: GradientRule = {
  opTypes: ['Softmax'],
  backward: (ctx) => softmaxBackward(ctx, false),
};

/** LogSoftmax: dx = dy - exp(y) * sum(dy, axis). */
export const logSoftmaxRule: GradientRule = {
  opTypes: ['LogSoftmax'],
  backward: (ctx) => softmaxBackward(ctx, true),
};
