/**
 * Gradient of Conv (any number of spatial dims; stride, asymmetric pads, auto_pad, dilation, groups).
 * - dX, stride 1: a Conv of dY with spatially flipped, per-group transposed weights (onnxruntime's fast
 *   Conv path; ConvTranspose misses it). Weights are flipped once at build time when constant.
 * - dX, stride > 1: ConvTranspose with the forward weights, cropped/extended to the input size.
 * - dW: im2col by shifted strided slices of the (padded) input, batch-major, then a batched MatMul against
 *   dY and a sum over the batch (a 1x1 conv is the single-slice case); with fewer output channels than
 *   positions, one such product per kernel offset instead of the columns; with few output positions, one
 *   GEMM over batch and positions on channels-last columns; grouped convs use channel-major columns and a
 *   MatMul batched over groups, depthwise a Mul + ReduceSum.
 * - dB: ReduceSum of dY over batch and space.
 */
import { ModelError } from '../../../core/errors.js';
import { DataType, type Node, type Tensor } from '../../ir.js';
import { effectiveKernel, windowGeometry, type WindowGeometry } from '../conv-geometry.js';
import { emit1, int, ints, pad, reduceSum, reshape, slice, transpose, unsqueeze, type Emitter } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';

/** Static facts a conv gradient needs, read from the shape table. */
interface ConvFacts {
  geometry: WindowGeometry;
  group: number;
  inChannels: number;
  outChannels: number;
  inSpatial: number[];
  outSpatial: number[];
  kernel: number[];
}

function staticDims(ctx: GradContext, name: string, what: string): number[] {
  const dims = ctx.shape(name);
  const rest = dims?.slice(1);
  if (!dims || rest!.some((d) => typeof d !== 'number')) {
    throw new ModelError('grad-shape-unknown', `${ctx.node.opType} gradient needs static non-batch dims of the ${what} "${name}"`, { node: ctx.node.name, op: ctx.node.opType }, {
      hint: 'pass shapes measured by a forward run (engine/shape-probe) or fix the input size',
    });
  }
  return rest as number[];
}

function convFacts(ctx: GradContext): ConvFacts {
  const { node } = ctx;
  const x = staticDims(ctx, node.inputs[0]!, 'input');
  const y = staticDims(ctx, node.outputs[0]!, 'output');
  const w = ctx.constant(node.inputs[1]!)?.dims ?? ctx.shape(node.inputs[1]!);
  if (!w || w.some((d) => typeof d !== 'number')) throw new ModelError('grad-shape-unknown', 'Conv gradient needs the weight shape', { node: node.name, op: node.opType });
  const kernel = (w as number[]).slice(2);
  const groupAttr = node.attributes.group;
  return {
    geometry: windowGeometry(node, x.slice(1), kernel),
    group: groupAttr?.type === 'int' ? groupAttr.value : 1,
    inChannels: x[0]!,
    outChannels: y[0]!,
    inSpatial: x.slice(1),
    outSpatial: y.slice(1),
    kernel,
  };
}

/** Moves axis 1 to the front ([N, C, ...] -> [C, N, ...]) and back. */
function swapBatchChannel(rank: number): number[] {
  return [1, 0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

/** Flipped, per-group transposed weights [C, M/g, k...] computed in JS from constant [M, C/g, k...]. */
function flipTransposeConstant(w: Tensor, group: number): { data: Float32Array | Float64Array; dims: number[] } {
  const [m, cg, ...kernel] = w.dims as [number, number, ...number[]];
  const k = kernel.reduce((a, b) => a * b, 1);
  const mg = m / group;
  const src = w.data as Float32Array | Float64Array;
  const out = w.data instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  for (let gi = 0; gi < group; gi++) {
    for (let mi = 0; mi < mg; mi++) {
      for (let ci = 0; ci < cg; ci++) {
        const from = ((gi * mg + mi) * cg + ci) * k;
        const to = ((gi * cg + ci) * mg + mi) * k;
        // Reversing a row-major block flips every spatial axis at once.
        for (let s = 0; s < k; s++) out[to + k - 1 - s] = src[from + s]!;
      }
    }
  }
  return { data: out, dims: [cg * group, mg, ...kernel] };
}

/** Same as flipTransposeConstant, as graph ops for weights known only at run time. */
function flipTransposeRuntime(ctx: GradContext, w: string, f: ConvFacts): string {
  const n = f.kernel.length;
  const k = f.kernel.reduce((a, b) => a * b, 1);
  // Flipping every spatial axis reverses the flattened kernel. A MatMul with the reversal permutation does
  // it exactly (products with 1 and 0); onnxruntime's Slice with step -1 copies element by element, 7% of
  // an InceptionV3 training step (measured). A 1x1 kernel needs no flip.
  let flipped = w;
  if (k > 1) {
    const double = ctx.dtype(w) === DataType.DOUBLE;
    const reversal = double ? new Float64Array(k * k) : new Float32Array(k * k);
    for (let i = 0; i < k; i++) reversal[i * k + (k - 1 - i)] = 1;
    const product = emit1(ctx, 'MatMul', [reshape(ctx, w, [-1, k]), ctx.addConstant(reversal, [k, k], double ? DataType.DOUBLE : DataType.FLOAT)]);
    flipped = reshape(ctx, product, [f.outChannels, f.inChannels / f.group, ...f.kernel]);
  }
  if (f.group === 1) return transpose(ctx, flipped, swapBatchChannel(n + 2));
  const mg = f.outChannels / f.group;
  const cg = f.inChannels / f.group;
  const grouped = reshape(ctx, flipped, [f.group, mg, cg, ...f.kernel]);
  const swapped = transpose(ctx, grouped, [0, 2, 1, ...Array.from({ length: n }, (_, i) => i + 3)]);
  return reshape(ctx, swapped, [f.inChannels, mg, ...f.kernel]);
}

/**
 * A transposed window op mapping an output-sized gradient back to the input size: ConvTranspose with
 * begin pads, and end pads or output_padding chosen so the result has exactly `inSpatial` elements.
 */
export function convTransposeBack(ctx: Emitter, dy: string, w: string, g: WindowGeometry, inSpatial: readonly number[], outSpatial: readonly number[], group: number): string {
  const padsEnd: number[] = [];
  const outputPadding: number[] = [];
  for (let d = 0; d < inSpatial.length; d++) {
    const full = (outSpatial[d]! - 1) * g.strides[d]! + effectiveKernel(g, d);
    const end = full - g.padsBegin[d]! - inSpatial[d]!;
    padsEnd.push(Math.max(end, 0));
    outputPadding.push(Math.max(-end, 0));
  }
  const attrs = {
    kernel_shape: ints(g.kernel),
    strides: ints(g.strides),
    dilations: ints(g.dilations),
    pads: ints([...g.padsBegin, ...padsEnd]),
    group: int(group),
    ...(outputPadding.some((p) => p > 0) ? { output_padding: ints(outputPadding) } : {}),
  };
  return emit1(ctx, 'ConvTranspose', [dy, w], attrs);
}

function inputGradient(ctx: GradContext, f: ConvFacts): string {
  const { node } = ctx;
  const dy = ctx.outputGrads[0]!;
  const w = node.inputs[1]!;
  const g = f.geometry;
  const n = f.kernel.length;
  const stride1 = g.strides.every((s) => s === 1);
  const fullPadsBegin = g.padsBegin.map((p, d) => effectiveKernel(g, d) - 1 - p);
  const fullPadsEnd = g.padsEnd.map((p, d) => effectiveKernel(g, d) - 1 - p);
  if (stride1 && [...fullPadsBegin, ...fullPadsEnd].every((p) => p >= 0)) {
    const constW = ctx.constant(w);
    let flipped: string;
    if (constW && (constW.data instanceof Float32Array || constW.data instanceof Float64Array)) {
      const t = flipTransposeConstant(constW, f.group);
      flipped = ctx.addConstant(t.data, t.dims, constW.data instanceof Float64Array ? DataType.DOUBLE : DataType.FLOAT);
    } else {
      flipped = flipTransposeRuntime(ctx, w, f);
    }
    return emit1(ctx, 'Conv', [dy, flipped], {
      kernel_shape: ints(f.kernel),
      strides: ints(new Array<number>(n).fill(1)),
      dilations: ints(g.dilations),
      pads: ints([...fullPadsBegin, ...fullPadsEnd]),
      group: int(f.group),
    });
  }
  return convTransposeBack(ctx, dy, w, g, f.inSpatial, f.outSpatial, f.group);
}

/** Kernel offsets in row-major order (the order of W's spatial elements). */
function kernelOffsets(kernel: readonly number[]): number[][] {
  let acc: number[][] = [[]];
  for (const k of kernel) acc = acc.flatMap((prefix) => Array.from({ length: k }, (_, i) => [...prefix, i]));
  return acc;
}

/**
 * dW[m, c, i] = sum_n,o dY[n, m, o] X[n, c, o * s + i * d]: im2col by shifted strided slices of the
 * (padded) input, kept batch-major so neither X nor dY is transposed; per image a MatMul
 * dY[n] (M x P) * cols[n]^T (P x K*C), which onnxruntime fuses with the transpose into one GEMM, then a sum
 * over the batch (with fewer output channels than positions, one product per offset: below). Measured on
 * InceptionV3 stem and block shapes at batch 4: 2-2.4x faster than a Conv of the channel-major input with
 * dY as its kernel, and faster than channel-major slices + one Gemm at every size tried (8x8 to 157x157).
 */
function weightGradient(ctx: GradContext, f: ConvFacts): string {
  const { node } = ctx;
  const dy = ctx.outputGrads[0]!;
  const g = f.geometry;
  const n = f.kernel.length;
  let x = node.inputs[0]!;
  if ([...g.padsBegin, ...g.padsEnd].some((p) => p > 0)) x = pad(ctx, x, [0, 0, ...g.padsBegin, 0, 0, ...g.padsEnd]);
  const axes = Array.from({ length: n }, (_, i) => i + 2);
  const offsets = kernelOffsets(f.kernel);
  const k = offsets.length;
  const needSlice = k > 1 || g.strides.some((s) => s > 1) || f.outSpatial.some((o, d) => o !== f.inSpatial[d]! + g.padsBegin[d]! + g.padsEnd[d]!);
  // Spatial axes are 2.. in both the batch-major and the channel-major layout, 1.. in channels-last.
  const sliceAt = (src: string, off: readonly number[], spatialAxes: readonly number[]): string => {
    if (!needSlice) return src;
    const starts = off.map((o, d) => o * g.dilations[d]!);
    const ends = starts.map((s, d) => s + (f.outSpatial[d]! - 1) * g.strides[d]! + 1);
    return slice(ctx, src, starts, ends, spatialAxes, g.strides);
  };
  const shiftedOf = (src: string, spatialAxes: readonly number[] = axes): string[] => offsets.map((off) => sliceAt(src, off, spatialAxes));
  const c = f.inChannels;
  const m = f.outChannels;
  if (f.group === 1) {
    const positions = f.outSpatial.reduce((a, b) => a * b, 1);
    let summed: string;
    if (m * k * c > 2 * (m + k * c) * positions) {
      // Few output positions (InceptionV3's 8x8 blocks): per-image products [M, K*C] would outweigh the
      // inputs, so contract over batch and positions in one GEMM, [M, N*P] x [N*P, K*C], with no batch
      // sum. The columns are cut from a channels-last copy of the input, so they come out as rows
      // (image, position) without transposing them (the input is K times smaller than the columns).
      // InceptionV3@320 training step, batch 4, profiled: mixed10's 3x3 weight gradient 11 ms against
      // 32 ms of batched GEMM + 12 ms of batch sum; at 18x18 (product and inputs about equal) it was
      // even, its channels-last Concat slower, hence the factor 2.
      const channelsLast = transpose(ctx, x, [0, ...axes, 1]);
      const shiftedLast = shiftedOf(channelsLast, axes.map((a) => a - 1));
      const stackedLast = k === 1 ? shiftedLast[0]! : emit1(ctx, 'Concat', shiftedLast, { axis: int(n + 1) }); // [N, ...out, K*C]
      const dyRows = reshape(ctx, transpose(ctx, reshape(ctx, dy, [0, m, -1]), [1, 0, 2]), [m, -1]);
      summed = emit1(ctx, 'MatMul', [dyRows, reshape(ctx, stackedLast, [-1, k * c])]);
    } else if (k > 1 && m < positions) {
      // Fewer output channels than positions: one product per kernel offset, dY[n] (M x P) * shift[n]^T
      // (P x C), concatenated as [N, M, K*C] and summed over the batch. This concatenates N*M*C*K
      // products instead of N*K*C*P columns; each shift is cut right before its product, so only one
      // lives at a time. Training steps, interleaved A/B of the generated graphs:
      // InceptionV3@320 batch 4 2049-2084 vs 2138-2185 ms, batch 16 9697-9815 vs 10355-10483 ms,
      // DenseNet121@224 batch 8 2774 vs 3213 ms; ResNet18@224 batch 8 even (911-1055 vs 933-993 ms).
      const dyRows = reshape(ctx, dy, [0, m, -1]);
      const products = offsets.map((off) => emit1(ctx, 'MatMul', [dyRows, transpose(ctx, reshape(ctx, sliceAt(x, off, axes), [0, c, -1]), [0, 2, 1])])); // [N, M, C] each
      summed = reduceSum(ctx, emit1(ctx, 'Concat', products, { axis: int(2) }), [0], false); // [M, K*C], k-major
    } else {
      const shifted = shiftedOf(x);
      const stacked = k === 1 ? shifted[0]! : emit1(ctx, 'Concat', shifted, { axis: int(1) }); // [N, K*C, ...out], k-major
      const cols = reshape(ctx, stacked, [0, k * c, -1]);
      const product = emit1(ctx, 'MatMul', [reshape(ctx, dy, [0, m, -1]), transpose(ctx, cols, [0, 2, 1])]); // [N, M, K*C]
      summed = reduceSum(ctx, product, [0], false);
    }
    if (k === 1) return reshape(ctx, summed, [m, c, ...f.kernel]);
    return reshape(ctx, transpose(ctx, reshape(ctx, summed, [m, k, c]), [0, 2, 1]), [m, c, ...f.kernel]);
  }
  // Grouped: channel-major columns so that groups become the MatMul batch.
  const perm = swapBatchChannel(n + 2);
  const groups = f.group;
  const cg = c / groups;
  const mg = m / groups;
  const shiftedT = shiftedOf(transpose(ctx, x, perm)); // [C, N, ...]
  const stackedT = k === 1 ? shiftedT[0]! : emit1(ctx, 'Concat', shiftedT.map((s) => unsqueeze(ctx, s, [1])), { axis: int(1) }); // [C, K, N, ...]
  const colsT = reshape(ctx, stackedT, [groups, cg * k, -1]);
  const dyg = reshape(ctx, transpose(ctx, dy, perm), [groups, mg, -1]);
  if (cg === 1 && mg === 1) {
    // Depthwise: a per-channel dot product.
    const summed = reduceSum(ctx, emit1(ctx, 'Mul', [colsT, dyg]), [2], false); // [g, K]
    return reshape(ctx, summed, [m, 1, ...f.kernel]);
  }
  const product = emit1(ctx, 'MatMul', [colsT, transpose(ctx, dyg, [0, 2, 1])]); // [g, Cg*K, Mg]
  return reshape(ctx, transpose(ctx, product, [0, 2, 1]), [m, cg, ...f.kernel]);
}

/** Conv: input, weight and bias gradients. */
export const convRule: GradientRule = {
  opTypes: ['Conv'],
  backward(ctx) {
    const node: Node = ctx.node;
    const dy = ctx.outputGrads[0]!;
    const f = convFacts(ctx);
    const grads: (string | undefined)[] = [undefined, undefined, undefined];
    if (ctx.needsGrad[0]) grads[0] = inputGradient(ctx, f);
    if (ctx.needsGrad[1]) grads[1] = weightGradient(ctx, f);
    if (node.inputs[2] && ctx.needsGrad[2]) grads[2] = reduceSum(ctx, dy, [0, ...Array.from({ length: f.kernel.length }, (_, i) => i + 2)], false);
    return grads;
  },
};
