/** Gradient of Concat: split the gradient back into the pieces along the concatenation axis. */
import { ModelError } from '../../../core/errors.js';
import { int, int64s } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Concat: dX_i = the i-th slab of dY along `axis` (one Split node). */
export const concatRule: GradientRule = {
  opTypes: ['Concat'],
  backward(ctx) {
    const { node } = ctx;
    const dy = ctx.outputGrads[0]!;
    const rank = ctx.shape(node.outputs[0]!)?.length ?? ctx.shape(node.inputs[0]!)?.length;
    const rawAxis = node.attributes.axis?.type === 'int' ? node.attributes.axis.value : 0;
    if (rank === undefined && rawAxis < 0) throw new ModelError('grad-shape-unknown', 'Concat with a negative axis needs known ranks', { node: node.name, op: node.opType });
    const axis = rawAxis < 0 ? rawAxis + rank! : rawAxis;
    const sizes = node.inputs.map((name) => {
      const dims = ctx.shape(name);
      const d = dims?.[axis];
      if (typeof d !== 'number') {
        throw new ModelError('grad-shape-unknown', `Concat gradient needs the static size of axis ${axis} of "${name}"`, { node: node.name, op: node.opType });
      }
      return d;
    });
    if (node.inputs.length === 1) return [dy];
    const attrs = { axis: int(axis) };
    const parts =
      ctx.opset >= 13
        ? ctx.emit('Split', [dy, int64s(ctx, sizes)], attrs, sizes.length)
        : ctx.emit('Split', [dy], { ...attrs, split: { type: 'ints', value: sizes } }, sizes.length);
    return parts;
  },
};
