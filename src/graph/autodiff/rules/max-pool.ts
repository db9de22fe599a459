/**
 * Gradient of MaxPool (overlapping windows, pads, dilations, ceil_mode): every output's gradient goes to
 * the input position of its maximum, read from the forward node's Indices output (flat indices into
 * the whole input tensor, as onnxruntime computes them). MaxUnpool would be wrong for overlapping windows,
 * where one input can be the maximum of several outputs and must receive the sum.
 * - opset >= 16: one ScatterElements with reduction "add" on the flattened tensors.
 * - older opsets: outputs are split into classes whose windows cannot overlap (outputs ceil(k/s) apart);
 *   within a class the argmax positions are distinct, so acc[idx] = acc[idx] + g is exact with
 *   GatherElements + ScatterElements, one class after another.
 */
import { ModelError } from '../../../core/errors.js';
import { DataType, type DataTypeCode } from '../../ir.js';
import { effectiveKernel, windowGeometry } from '../conv-geometry.js';
import { emit1, int, reshape, reshapeLike, slice, type Emitter } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';

function zerosLike(ctx: Emitter, x: string, dtype: DataTypeCode | undefined): string {
  const size = reshape(ctx, emit1(ctx, 'Size', [x]), [1]);
  const type = dtype === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
  const value = { name: '', dataType: type, dims: [1], data: type === DataType.DOUBLE ? new Float64Array(1) : new Float32Array(1) };
  return emit1(ctx, 'ConstantOfShape', [size], { value: { type: 'tensor', value } });
}

function spatialDims(ctx: GradContext, name: string): number[] {
  const dims = ctx.shape(name);
  const rest = dims?.slice(2);
  if (!rest || rest.some((d) => typeof d !== 'number')) {
    throw new ModelError('grad-shape-unknown', `${ctx.node.opType} gradient needs static spatial dims of "${name}"`, { node: ctx.node.name, op: ctx.node.opType });
  }
  return rest as number[];
}

/** MaxPool via scatter-add of gradients to the argmax indices. */
export const maxPoolRule: GradientRule = {
  opTypes: ['MaxPool'],
  backward(ctx) {
    const { node } = ctx;
    const x = node.inputs[0]!;
    const dy = ctx.outputGrads[0]!;
    const indices = ctx.forwardOutput(1);
    const dtype = ctx.dtype(x);
    const flatDy = reshape(ctx, dy, [-1]);
    const flatIdx = reshape(ctx, indices, [-1]);
    const zeros = zerosLike(ctx, x, dtype);
    if (ctx.opset >= 16) {
      const scattered = emit1(ctx, 'ScatterElements', [zeros, flatIdx, flatDy], { axis: int(0), reduction: { type: 'string', value: 'add' } });
      return [reshapeLike(ctx, scattered, x)];
    }
    const inSpatial = spatialDims(ctx, x);
    const outSpatial = spatialDims(ctx, node.outputs[0]!);
    const g = windowGeometry(node, inSpatial);
    // Outputs `period` apart along every axis have disjoint windows.
    const period = g.kernel.map((_, d) => Math.min(Math.ceil(effectiveKernel(g, d) / g.strides[d]!), outSpatial[d]!));
    const classes: number[][] = [[]];
    for (const p of period) classes.splice(0, classes.length, ...classes.flatMap((c) => Array.from({ length: p }, (_, i) => [...c, i])));
    if (classes.length === 1) {
      return [reshapeLike(ctx, emit1(ctx, 'ScatterElements', [zeros, flatIdx, flatDy], { axis: int(0) }), x)];
    }
    const axes = period.map((_, d) => d + 2);
    let acc = zeros;
    for (const start of classes) {
      const ends = outSpatial.map((o) => o);
      const part = (t: string) => reshape(ctx, slice(ctx, t, start, ends, axes, period), [-1]);
      const idx = part(indices);
      const current = emit1(ctx, 'GatherElements', [acc, idx], { axis: int(0) });
      acc = emit1(ctx, 'ScatterElements', [acc, idx, emit1(ctx, 'Add', [current, part(dy)])], { axis: int(0) });
    }
    return [reshapeLike(ctx, acc, x)];
  },
};
