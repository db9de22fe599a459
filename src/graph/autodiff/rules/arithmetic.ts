/**
 * Gradients of Add, Sub, Mul and Div with numpy broadcasting: each input's gradient is summed back to
 * that input's shape over the broadcast axes (static axes when shapes are known, runtime Shape ops
 * otherwise, e.g. a dynamic batch meeting an unknown shape). Non-float inputs get no gradient.
 *   Add: da = dy, db = dy;  Sub: da = dy, db = -dy;  Mul: da = dy*b, db = dy*a;  Div: da = dy/b, db = -dy*y/b.
 */
import { emit1, isFloatType } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { unbroadcast } from './rule-utils.js';

/** Add, Sub, Mul, Div with broadcasting. */
export const arithmeticRule: GradientRule = {
  opTypes: ['Add', 'Sub', 'Mul', 'Div'],
  backward(ctx) {
    const { node } = ctx;
    const dy = ctx.outputGrads[0];
    const [a, b] = node.inputs as [string, string];
    const y = node.outputs[0]!;
    if (!dy || !isFloatType(ctx.dtype(y))) return [undefined, undefined];
    const want = (i: number) => ctx.needsGrad[i] === true;
    let da: string | undefined;
    let db: string | undefined;
    switch (node.opType) {
      case 'Add':
        if (want(0)) da = dy;
        if (want(1)) db = dy;
        break;
      case 'Sub':
        if (want(0)) da = dy;
        if (want(1)) db = emit1(ctx, 'Neg', [dy]);
        break;
      case 'Mul':
        if (want(0)) da = emit1(ctx, 'Mul', [dy, b]);
        if (want(1)) db = emit1(ctx, 'Mul', [dy, a]);
        break;
      default:
        if (want(0)) da = emit1(ctx, 'Div', [dy, b]);
        if (want(1)) db = emit1(ctx, 'Neg', [emit1(ctx, 'Div', [emit1(ctx, 'Mul', [dy, y]), b])]);
    }
    return [da && unbroadcast(ctx, da, a, y), db && unbroadcast(ctx, db, b, y)];
  },
};
