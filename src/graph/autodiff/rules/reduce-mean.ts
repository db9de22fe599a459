/** Gradient of ReduceMean: spread dY evenly back over the reduced axes. */
import { ModelError } from '../../../core/errors.js';
import { emit1, scalar, unsqueeze } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** ReduceMean: dX = expand(dY (with reduced axes restored) / count, shape(X)). */
export const reduceMeanRule: GradientRule = {
  opTypes: ['ReduceMean'],
  backward(ctx) {
    const { node } = ctx;
    const x = node.inputs[0]!;
    const dy = ctx.outputGrads[0]!;
    const dims = ctx.shape(x);
    if (!dims) throw new ModelError('grad-shape-unknown', `ReduceMean gradient needs the rank of "${x}"`, { node: node.name, op: node.opType });
    const rank = dims.length;
    let axes: number[] | undefined;
    if (node.attributes.axes?.type === 'ints') axes = node.attributes.axes.value;
    else if (node.inputs[1]) {
      const t = ctx.constant(node.inputs[1]);
      if (!t) throw new ModelError('grad-constant-needed', 'ReduceMean gradient needs constant axes', { node: node.name, op: node.opType });
      axes = Array.from(t.data as ArrayLike<number | bigint>, Number);
    }
    const noop = node.attributes.noop_with_empty_axes?.type === 'int' && node.attributes.noop_with_empty_axes.value === 1;
    if (!axes || axes.length === 0) {
      if (noop) return [dy];
      axes = Array.from({ length: rank }, (_, i) => i);
    }
    axes = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const keepdims = node.attributes.keepdims?.type === 'int' ? node.attributes.keepdims.value !== 0 : true;
    const restored = keepdims ? dy : unsqueeze(ctx, dy, axes);
    const shapeX = emit1(ctx, 'Shape', [x]);
    let count = 1;
    let dynamic = false;
    for (const a of axes) {
      const d = dims[a];
      if (typeof d === 'number') count *= d;
      else dynamic = true;
    }
    let scaled: string;
    const dtype = ctx.dtype(x);
    if (!dynamic) {
      scaled = emit1(ctx, 'Mul', [restored, scalar(ctx, 1 / count, dtype)]);
    } else {
      // Batch-dependent count: size(Y) / size(X) at run time.
      const ratio = emit1(ctx, 'Div', [
        emit1(ctx, 'Cast', [emit1(ctx, 'Size', [node.outputs[0]!])], { to: { type: 'int', value: dtype ?? 1 } }),
        emit1(ctx, 'Cast', [emit1(ctx, 'Size', [x])], { to: { type: 'int', value: dtype ?? 1 } }),
      ]);
      scaled = emit1(ctx, 'Mul', [restored, ratio]);
    }
    return [emit1(ctx, 'Expand', [scaled, shapeX])];
  },
};
