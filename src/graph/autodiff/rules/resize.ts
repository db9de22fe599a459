/**
 * Gradient of Resize (and the older Upsample) in nearest and linear modes. Resize is linear and
 * separable, y = x x_1 A_1 x_2 A_2 ..., with one [out, in] interpolation matrix per axis, built here
 * from ONNX's coordinate transforms and nearest modes (in float32, as onnxruntime computes them). The
 * backward applies A^T per resized axis: a Reshape + ReduceSum when nearest upsampling copies each
 * input into a block of f outputs (integer factors), else a MatMul with the constant matrix.
 * Limits: scales/sizes must be constants and the resized axes static; cubic, tf_crop_and_resize,
 * half_pixel_symmetric, antialias and keep_aspect_ratio_policy are refused with a ModelError. Opset
 * 10 Resize and Upsample use asymmetric coordinates with floor for nearest, as onnxruntime does.
 */
import { emit1, floats, reduceSum, reshape, transpose } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { attrFloats, attrInt, attrInts, attrString, constantInput, firstInputGradient, incomingGradient, normAxis, notConstantError, requireDim, requireShape, unsupportedVariantError } from './rule-utils.js';

interface AxisOptions {
  mode: string;
  transform: string;
  nearestMode: string;
}

const f32 = Math.fround;

/** Source coordinate of output index `o` under an ONNX coordinate_transformation_mode, in float32. */
function sourceCoordinate(o: number, scale: number, inSize: number, outSize: number, transform: string): number {
  const s = f32(scale);
  switch (transform) {
    case 'half_pixel':
      return f32(f32(f32(o + 0.5) / s) - 0.5);
    case 'pytorch_half_pixel':
      return outSize > 1 ? f32(f32(f32(o + 0.5) / s) - 0.5) : 0;
    case 'align_corners':
      return outSize === 1 ? 0 : f32(f32(o * (inSize - 1)) / (outSize - 1));
    case 'tf_half_pixel_for_nn':
      return f32(f32(o + 0.5) / s);
    default:
      return f32(o / s);
  }
}

function roundNearest(v: number, mode: string): number {
  switch (mode) {
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    case 'round_prefer_ceil':
      return Math.round(v);
    default:
      // round_prefer_floor: halves go down.
      return v === Math.floor(v) + 0.5 ? Math.floor(v) : Math.round(v);
  }
}

/** The [outSize, inSize] interpolation matrix of one axis, row-major. */
export function interpolationMatrix(inSize: number, outSize: number, scale: number, options: AxisOptions): Float64Array {
  const m = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = sourceCoordinate(o, scale, inSize, outSize, options.transform);
    if (options.mode === 'nearest') {
      const i = Math.min(Math.max(roundNearest(src, options.nearestMode), 0), inSize - 1);
      m[o * inSize + i] = 1;
      continue;
    }
    const clamped = Math.min(Math.max(src, 0), inSize - 1);
    const i0 = Math.floor(clamped);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const w1 = clamped - i0;
    m[o * inSize + i0] += 1 - w1;
    m[o * inSize + i1] += w1;
  }
  return m;
}

/** The block factor f when every input i feeds exactly outputs [i f, (i + 1) f) with weight 1, else 0. */
function blockFactor(m: Float64Array, inSize: number, outSize: number): number {
  if (outSize % inSize !== 0) return 0;
  const f = outSize / inSize;
  for (let o = 0; o < outSize; o++) {
    for (let i = 0; i < inSize; i++) if (m[o * inSize + i] !== (i === Math.floor(o / f) ? 1 : 0)) return 0;
  }
  return f;
}

function isIdentity(m: Float64Array, inSize: number, outSize: number): boolean {
  return inSize === outSize && blockFactor(m, inSize, outSize) === 1;
}

/** Applies the transpose of `m` ([outSize, inSize]) along `axis` of `g`, whose current dims are `dims`. */
function applyAdjoint(ctx: GradContext, g: string, axis: number, dims: (number | string | null)[], m: Float64Array, inSize: number, outSize: number): string {
  const rank = dims.length;
  const f = blockFactor(m, inSize, outSize);
  const trailing = dims.slice(axis + 1);
  if (f > 1 && (trailing.every((d) => typeof d === 'number') || trailing.length === 1)) {
    const tail = trailing.every((d) => typeof d === 'number') ? (trailing as number[]) : [-1];
    const split = reshape(ctx, g, [...new Array<number>(axis).fill(0), inSize, f, ...tail]);
    return reduceSum(ctx, split, [axis + 1], false);
  }
  const dtype = ctx.dtype(ctx.node.inputs[0]!);
  if (axis === rank - 1) return emit1(ctx, 'MatMul', [g, floats(ctx, m, [outSize, inSize], dtype)]);
  const mt = new Float64Array(inSize * outSize);
  for (let o = 0; o < outSize; o++) for (let i = 0; i < inSize; i++) mt[i * outSize + o] = m[o * inSize + i]!;
  if (axis === rank - 2) return emit1(ctx, 'MatMul', [floats(ctx, mt, [inSize, outSize], dtype), g]);
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[axis] = rank - 1;
  perm[rank - 1] = axis;
  const moved = emit1(ctx, 'MatMul', [transpose(ctx, g, perm), floats(ctx, m, [outSize, inSize], dtype)]);
  return transpose(ctx, moved, perm);
}

/** Static output dims of a Resize whose sizes input is computed at runtime (dynamic dims stay unresized). */
function outputSizes(ctx: GradContext, sizesName: string, rank: number): number[] {
  const out = ctx.shape(ctx.node.outputs[0]!);
  const input = requireShape(ctx, ctx.node.inputs[0]!);
  if (!out || out.length !== rank) throw notConstantError(ctx, 'the sizes', sizesName);
  return out.map((d, i) => {
    if (typeof d === 'number') return d;
    if (d !== null && d === input[i]) return -1;
    throw notConstantError(ctx, 'the sizes', sizesName);
  });
}

/** Resize / Upsample (nearest, linear): dx = dy contracted with each axis's interpolation matrix. */
export const resizeRule: GradientRule = {
  opTypes: ['Resize', 'Upsample'],
  backward(ctx) {
    const { node } = ctx;
    const dy = incomingGradient(ctx);
    if (!dy) return firstInputGradient(ctx, undefined);
    const x = node.inputs[0]!;
    const rank = requireShape(ctx, x).length;
    const legacy = node.opType === 'Upsample' || ctx.opset < 11;
    const mode = attrString(node, 'mode', 'nearest');
    const linear = mode === 'linear' || mode === 'bilinear';
    if (!linear && mode !== 'nearest') throw unsupportedVariantError(ctx, `Resize mode "${mode}"`, 'nearest, linear');
    const options: AxisOptions = {
      mode: linear ? 'linear' : 'nearest',
      transform: legacy ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel'),
      nearestMode: legacy ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor'),
    };
    const supported = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
    if (!supported.includes(options.transform)) throw unsupportedVariantError(ctx, `coordinate_transformation_mode "${options.transform}"`, supported.join(', '));
    if (attrInt(node, 'antialias', 0) !== 0) throw unsupportedVariantError(ctx, 'antialias=1', 'antialias=0');
    if (attrString(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw unsupportedVariantError(ctx, 'keep_aspect_ratio_policy other than stretch', 'stretch');
    // Scales and sizes per axis: attribute (Upsample-7), input 1 (opset 9/10), inputs 2 and 3 (opset 11+).
    let scales: number[] | undefined;
    let sizes: number[] | undefined;
    if (node.opType === 'Upsample' && ctx.opset < 9) scales = attrFloats(node, 'scales');
    else if (legacy) scales = constantInput(ctx, 1, 'the scales');
    else {
      scales = constantInput(ctx, 2, 'the scales');
      if (scales && scales.length === 0) scales = undefined;
      const sizesName = node.inputs[3];
      // Exporters often build sizes at runtime (Concat of Shape(x)[:2] and constants): take the static output dims then.
      if (sizesName && !scales) sizes = ctx.constant(sizesName) ? constantInput(ctx, 3, 'the sizes') : outputSizes(ctx, sizesName, rank);
    }
    const axes = (attrInts(node, 'axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => normAxis(a, rank));
    const dims: (number | string | null)[] = ctx.shape(node.outputs[0]!)?.slice() ?? requireShape(ctx, x).slice();
    let g = dy;
    for (let j = axes.length - 1; j >= 0; j--) {
      const axis = axes[j]!;
      const scale = scales?.[j];
      if ((sizes === undefined && scale === 1) || sizes?.[j] === -1) continue;
      const inSize = requireDim(ctx, x, axis);
      const outSize = sizes ? sizes[j]! : Math.floor(inSize * scale!);
      const m = interpolationMatrix(inSize, outSize, sizes ? outSize / inSize : scale!, options);
      if (isIdentity(m, inSize, outSize)) continue;
      dims[axis] = outSize;
      g = applyAdjoint(ctx, g, axis, dims, m, inSize, outSize);
      dims[axis] = inSize;
    }
    return firstInputGradient(ctx, g);
  },
};
