/**
 * Gradient of Gather with constant indices: dy's slices are added back at the gathered positions along
 * the axis. Indices may have any rank and may repeat: repeats are split into layers of distinct
 * positions, each scattered with Pad + Gather and summed. Needs the static size of the gathered axis.
 */
import { emit1, int, int64s } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrInt, normAxis, notConstantError, requireDim, requireShape, scatterAlongAxis, tensorNumbers, zerosLike } from './rule-utils.js';

/** Gather (constant indices): dx = sum over index layers of scatter(dy). */
export const gatherRule: GradientRule = {
  opTypes: ['Gather'],
  backward(ctx) {
    const { node } = ctx;
    const dy = ctx.outputGrads[0];
    if (!dy || !ctx.needsGrad[0]) return [undefined, undefined];
    const [x, indicesName] = node.inputs as [string, string];
    const indices = ctx.constant(indicesName);
    if (!indices) throw notConstantError(ctx, 'the indices', indicesName);
    const rank = requireShape(ctx, x).length;
    const axis = normAxis(attrInt(node, 'axis', 0), rank);
    const size = requireDim(ctx, x, axis);
    const flatIndices = tensorNumbers(indices).map((i) => (i < 0 ? i + size : i));
    // Bring dy to x's rank: the index dims collapse to one axis of length k.
    const shapeOf = emit1(ctx, 'Shape', [x]);
    const before = axis > 0 ? [emit1(ctx, 'Slice', [shapeOf, int64s(ctx, [0]), int64s(ctx, [axis])])] : [];
    const after = axis < rank - 1 ? [emit1(ctx, 'Slice', [shapeOf, int64s(ctx, [axis + 1]), int64s(ctx, [rank])])] : [];
    const target = emit1(ctx, 'Concat', [...before, int64s(ctx, [flatIndices.length]), ...after], { axis: int(0) });
    const grad = emit1(ctx, 'Reshape', [dy, target]);
    // Layer t holds the t-th occurrence of each index value, so positions within a layer are distinct.
    const layers: { positions: number[]; values: number[] }[] = [];
    const seen = new Map<number, number>();
    flatIndices.forEach((value, position) => {
      const t = seen.get(value) ?? 0;
      seen.set(value, t + 1);
      if (!layers[t]) layers[t] = { positions: [], values: [] };
      layers[t].positions.push(position);
      layers[t].values.push(value);
    });
    let dx: string | undefined;
    for (const layer of layers) {
      const part = layers.length === 1 ? grad : emit1(ctx, 'Gather', [grad, int64s(ctx, layer.positions)], { axis: int(axis) });
      const scattered = scatterAlongAxis(ctx, part, axis, rank, size, layer.values);
      dx = dx ? emit1(ctx, 'Add', [dx, scattered]) : scattered;
    }
    return [dx ?? zerosLike(ctx, x), undefined];
  },
};
