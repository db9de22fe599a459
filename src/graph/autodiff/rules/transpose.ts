/** Gradient of Transpose: transpose back with the inverse permutation (no perm = reversed axes, self-inverse). */
import { emit1, transpose } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInts } from './rule-utils.js';

/** Transpose: dx = Transpose(dy, inverse(perm)). */
export const transposeRule: GradientRule = {
  opTypes: ['Transpose'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    if (!dy || !ctx.needsGrad[0]) return [undefined];
    const perm = attrInts(ctx.node, 'perm');
    if (!perm) return [emit1(ctx, 'Transpose', [dy])];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(ctx, dy, inverse)];
  },
};
