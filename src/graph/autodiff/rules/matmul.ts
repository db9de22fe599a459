/**
 * Gradient of MatMul (numpy semantics: batched, broadcasting batch dims, 1-D operands promoted):
 *   dA = dY @ B^T and dB = A^T @ dY on the promoted operands, summed over broadcast batch dims and
 * reshaped back to each operand. Needs the ranks of A and B.
 */
import { emit1, isFloatType, reduceSum, reshapeLike, transpose, unsqueeze } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { requireShape } from './rule-utils.js';

function swapLast(ctx: GradContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(ctx, x, perm);
}

/** MatMul: dA = dY B^T, dB = A^T dY, each reduced over broadcast batch dims. */
export const matMulRule: GradientRule = {
  opTypes: ['MatMul'],
  backward(ctx) {
    const { node } = ctx;
    const dyIn = ctx.outputGrads[0];
    const [a, b] = node.inputs as [string, string];
    if (!dyIn || !isFloatType(ctx.dtype(node.outputs[0]!))) return [undefined, undefined];
    const shapeA = requireShape(ctx, a);
    const shapeB = requireShape(ctx, b);
    // Promote 1-D operands to matrices; dY gets the unit axes MatMul dropped.
    let dy = dyIn;
    if (shapeA.length === 1) dy = unsqueeze(ctx, dy, [shapeB.length === 1 ? 0 : -2]);
    if (shapeB.length === 1) dy = unsqueeze(ctx, dy, [-1]);
    const a2 = shapeA.length === 1 ? unsqueeze(ctx, a, [0]) : a;
    const b2 = shapeB.length === 1 ? unsqueeze(ctx, b, [1]) : b;
    const rankA = Math.max(2, shapeA.length);
    const rankB = Math.max(2, shapeB.length);
    const rankY = Math.max(rankA, rankB);
    const batchA = shapeA.length <= 2 ? [] : shapeA.slice(0, -2);
    const batchB = shapeB.length <= 2 ? [] : shapeB.slice(0, -2);
    const shapeY = ctx.shape(node.outputs[0]!);
    const batchY = shapeY && shapeY.length >= rankY - 2 ? shapeY.slice(0, rankY - 2) : undefined;
    // Sum the gradient over dY's batch axes that the operand did not have or had as 1.
    const reduceBatch = (g: string, batch: typeof batchA, operand: string, promoted: boolean): string => {
      const lead = rankY - 2 - batch.length;
      const axes: number[] = [];
      for (let i = 0; i < rankY - 2; i++) {
        const d = i < lead ? undefined : batch[i - lead];
        if (i < lead || (d === 1 && batchY?.[i] !== 1)) axes.push(i);
      }
      const summed = axes.length ? reduceSum(ctx, g, axes, true) : g;
      return lead > 0 || promoted ? reshapeLike(ctx, summed, operand) : summed;
    };
    let da: string | undefined;
    let db: string | undefined;
    if (ctx.needsGrad[0]) da = reduceBatch(emit1(ctx, 'MatMul', [dy, swapLast(ctx, b2, rankB)]), batchA, a, shapeA.length === 1);
    if (ctx.needsGrad[1]) db = reduceBatch(emit1(ctx, 'MatMul', [swapLast(ctx, a2, rankA), dy]), batchB, b, shapeB.length === 1);
    return [da, db];
  },
};
