/**
 * Gradient of GlobalMaxPool: the whole dy of each (n, c) goes to one argmax position (the first on
 * ties, a valid subgradient; an equality mask would multiply the gradient by the tie count). Works for
 * any rank >= 3 and dynamic sizes: flatten the spatial axes, ArgMax, ScatterElements, reshape back.
 */
import { emit1, int, reshape, reshapeLike } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { zerosLike } from './rule-utils.js';

/** GlobalMaxPool: dx = dy scattered to the first argmax of each channel. */
export const globalMaxPoolRule: GradientRule = {
  opTypes: ['GlobalMaxPool'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    if (!dy || !ctx.needsGrad[0]) return [undefined];
    const x = ctx.node.inputs[0]!;
    const flat = reshape(ctx, x, [0, 0, -1]);
    const argmax = emit1(ctx, 'ArgMax', [flat], { axis: int(2), keepdims: int(1) });
    const updates = reshape(ctx, dy, [0, 0, 1]);
    const scattered = emit1(ctx, 'ScatterElements', [zerosLike(ctx, flat), argmax, updates], { axis: int(2) });
    return [reshapeLike(ctx, scattered, x)];
  },
};
