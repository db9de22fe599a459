/**
 * Gradients of AveragePool (pads, count_include_pad 0/1, ceil_mode, strides) and GlobalAveragePool.
 * AveragePool is linear: dX = A^T dY. Each output's gradient is divided by its window's divisor (a
 * static map, computed as onnxruntime counts: real elements only, or also pads within the padded extent)
 * and then summed back over its window: stride 1 by a sum-pool (an AveragePool with full padding times
 * the window size, onnxruntime's fast pooling path); larger strides by a depthwise ConvTranspose with a
 * ones kernel.
 */
import { ModelError } from '../../../core/errors.js';
import { DataType } from '../../ir.js';
import { windowGeometry } from '../conv-geometry.js';
import { emit1, floats, int, int64s, ints, scalar } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { convTransposeBack } from './conv.js';

function staticShape(ctx: GradContext, name: string): number[] {
  const dims = ctx.shape(name);
  const rest = dims?.slice(1);
  if (!dims || rest!.some((d) => typeof d !== 'number')) {
    throw new ModelError('grad-shape-unknown', `${ctx.node.opType} gradient needs static non-batch dims of "${name}"`, { node: ctx.node.name, op: ctx.node.opType });
  }
  return rest as number[];
}

/** Divisor of each output position along one axis. */
function divisors(out: number, input: number, kernel: number, stride: number, padBegin: number, padEnd: number, includePad: boolean): number[] {
  const result: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * stride - padBegin;
    if (includePad) result.push(Math.min(start + kernel, input + padEnd) - start);
    else result.push(Math.min(start + kernel, input) - Math.max(start, 0));
  }
  return result;
}

/** AveragePool: scale by 1/divisor, then scatter back over each window. */
export const averagePoolRule: GradientRule = {
  opTypes: ['AveragePool'],
  backward(ctx) {
    const { node } = ctx;
    const x = node.inputs[0]!;
    const dy = ctx.outputGrads[0]!;
    const xs = staticShape(ctx, x);
    const ys = staticShape(ctx, node.outputs[0]!);
    const channels = xs[0]!;
    const inSpatial = xs.slice(1);
    const outSpatial = ys.slice(1);
    const g = windowGeometry(node, inSpatial);
    if (g.dilations.some((d) => d !== 1)) throw new ModelError('grad-unsupported-attribute', 'AveragePool with dilations has no gradient rule yet', { node: node.name, op: node.opType });
    const includePadAttr = node.attributes.count_include_pad;
    const includePad = includePadAttr?.type === 'int' && includePadAttr.value !== 0;
    const n = inSpatial.length;
    const stride1 = g.strides.every((s) => s === 1);
    const windowSize = g.kernel.reduce((a, b) => a * b, 1);
    // Separable divisor map over the output grid; stride 1 folds in the sum-pool's window size.
    const perAxis = outSpatial.map((o, d) => divisors(o, inSpatial[d]!, g.kernel[d]!, g.strides[d]!, g.padsBegin[d]!, g.padsEnd[d]!, includePad));
    const total = outSpatial.reduce((a, b) => a * b, 1);
    const map = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      let rem = i;
      let div = 1;
      for (let d = n - 1; d >= 0; d--) {
        div *= perAxis[d]![rem % outSpatial[d]!]!;
        rem = Math.floor(rem / outSpatial[d]!);
      }
      map[i] = (stride1 ? windowSize : 1) / div;
    }
    const dtype = ctx.dtype(x) === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    const uniform = map.every((v) => v === map[0]);
    const factor = uniform ? scalar(ctx, map[0]!, dtype) : floats(ctx, map, outSpatial, dtype);
    const scaled = uniform && map[0] === 1 ? dy : emit1(ctx, 'Mul', [dy, factor]);
    if (stride1) {
      // dX[h] = sum of scaled dY over outputs whose window covers h: a sum-pool with full padding.
      const padsBegin = g.kernel.map((k, d) => k - 1 - g.padsBegin[d]!);
      const padsEnd = g.kernel.map((k, d) => inSpatial[d]! - outSpatial[d]! - padsBegin[d]! + k - 1);
      if ([...padsBegin, ...padsEnd].every((p, i) => p >= 0 && p < g.kernel[i % n]!)) {
        return [
          emit1(ctx, 'AveragePool', [scaled], {
            kernel_shape: ints(g.kernel),
            pads: ints([...padsBegin, ...padsEnd]),
            strides: ints(g.strides),
            count_include_pad: int(1),
          }),
        ];
      }
    }
    const ones = floats(ctx, new Float64Array(channels * windowSize).fill(stride1 ? 1 / windowSize : 1), [channels, 1, ...g.kernel], dtype);
    return [convTransposeBack(ctx, scaled, ones, g, inSpatial, outSpatial, channels)];
  },
};

/**
 * GlobalAveragePool: dX = expand(dY / (spatial size), shape(X)). With static channel and spatial dims
 * the shape is the constant [1, C, H, W] (broadcasting brings the batch dim from dY), which keeps the
 * batch symbol for onnxruntime's shape inference (see `reshapeAs`).
 */
export const globalAveragePoolRule: GradientRule = {
  opTypes: ['GlobalAveragePool'],
  backward(ctx) {
    const x = ctx.node.inputs[0]!;
    const dy = ctx.outputGrads[0]!;
    const full = ctx.shape(x);
    const dims = full?.slice(2);
    const rest = full?.slice(1);
    const shapeX = rest && rest.every((d) => typeof d === 'number') ? int64s(ctx, [1, ...(rest as number[])]) : emit1(ctx, 'Shape', [x]);
    let scaled: string;
    if (dims && dims.every((d) => typeof d === 'number')) {
      const count = (dims as number[]).reduce((a, b) => a * b, 1);
      scaled = emit1(ctx, 'Mul', [dy, scalar(ctx, 1 / count, ctx.dtype(x))]);
    } else {
      const type = { to: { type: 'int' as const, value: ctx.dtype(x) ?? DataType.FLOAT } };
      const ratio = emit1(ctx, 'Div', [emit1(ctx, 'Cast', [emit1(ctx, 'Size', [dy])], type), emit1(ctx, 'Cast', [emit1(ctx, 'Size', [x])], type)]);
      scaled = emit1(ctx, 'Mul', [dy, ratio]);
    }
    return [emit1(ctx, 'Expand', [scaled, shapeX])];
  },
};
