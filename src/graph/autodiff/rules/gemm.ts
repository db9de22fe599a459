/**
 * Gradient of Gemm: Y = alpha * A' B' + beta * C with A' = transA ? A^T : A, B' likewise. Each input
 * gradient is one Gemm using the trans flags instead of explicit transposes; dC sums over the axes
 * along which C was broadcast.
 */
import { ModelError } from '../../../core/errors.js';
import { emit1, float, int, scalar, sumToShape } from '../helpers.js';
import type { GradientRule } from '../rule.js';

function attr(node: { attributes: Record<string, { type: string; value: unknown }> }, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a && (a.type === 'int' || a.type === 'float') ? (a.value as number) : fallback;
}

/** Gemm with transA/transB, alpha and beta. */
export const gemmRule: GradientRule = {
  opTypes: ['Gemm'],
  backward(ctx) {
    const { node } = ctx;
    const [a, b, c] = node.inputs as [string, string, string | undefined];
    const dy = ctx.outputGrads[0]!;
    const transA = attr(node, 'transA', 0) !== 0;
    const transB = attr(node, 'transB', 0) !== 0;
    const alpha = attr(node, 'alpha', 1);
    const beta = attr(node, 'beta', 1);
    const gemm = (x: string, y: string, tA: boolean, tB: boolean): string =>
      emit1(ctx, 'Gemm', [x, y], { transA: int(tA ? 1 : 0), transB: int(tB ? 1 : 0), alpha: float(alpha) });
    const grads: (string | undefined)[] = [undefined, undefined, undefined];
    if (ctx.needsGrad[0]) {
      // dA' = alpha dY B'^T; dA = transA ? (dA')^T.
      grads[0] = transA ? gemm(b, dy, transB, true) : gemm(dy, b, false, !transB);
    }
    if (ctx.needsGrad[1]) {
      // dB' = alpha A'^T dY; dB = transB ? (dB')^T.
      grads[1] = transB ? gemm(dy, a, true, transA) : gemm(a, dy, !transA, false);
    }
    if (c && ctx.needsGrad[2]) {
      const yShape = ctx.shape(node.outputs[0]!);
      const cShape = ctx.shape(c);
      if (!yShape || !cShape) throw new ModelError('grad-shape-unknown', `Gemm gradient needs the shapes of "${c}" and the output`, { node: node.name, op: node.opType });
      const scaled = beta === 1 ? dy : emit1(ctx, 'Mul', [dy, scalar(ctx, beta, ctx.dtype(dy) ?? ctx.dtype(node.outputs[0]!))]);
      grads[2] = sumToShape(ctx, scaled, yShape, cShape);
    }
    return grads;
  },
};
