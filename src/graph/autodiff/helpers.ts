/**
 * Small opset-aware emitters shared by the gradient rules: constants, reductions, unsqueeze, shape
 * and broadcasting helpers. They take any context that can emit nodes (GradContext or ForwardContext),
 * so each rule stays a few lines of math.
 */
import { DataType, type Attribute, type DataTypeCode, type Dim, type TensorData } from '../ir.js';

/** The part of a rule context needed to emit nodes. */
export interface Emitter {
  readonly opset: number;
  emit(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputCount?: number): string[];
  addConstant(data: TensorData, dims: readonly number[], dataType?: DataTypeCode): string;
}

/** An `ints` attribute. */
export const ints = (value: readonly number[]): Attribute => ({ type: 'ints', value: [...value] });
/** An `int` attribute. */
export const int = (value: number): Attribute => ({ type: 'int', value });
/** A `float` attribute. */
export const float = (value: number): Attribute => ({ type: 'float', value });

/** Emits a single-output node and returns its output name. */
export function emit1(ctx: Emitter, opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string {
  return ctx.emit(opType, inputs, attributes)[0]!;
}

/** A 1-D int64 constant (shapes, axes, starts/ends). */
export function int64s(ctx: Emitter, values: readonly number[]): string {
  return ctx.addConstant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], DataType.INT64);
}

/** A floating-point constant of the given element type (FLOAT by default). */
export function floats(ctx: Emitter, values: readonly number[] | Float64Array | Float32Array, dims: readonly number[], dtype: DataTypeCode = DataType.FLOAT): string {
  const data = dtype === DataType.DOUBLE ? Float64Array.from(values) : Float32Array.from(values);
  return ctx.addConstant(data, dims, dtype === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT);
}

/** A scalar (rank-0) float constant of the given element type. */
export function scalar(ctx: Emitter, value: number, dtype: DataTypeCode = DataType.FLOAT): string {
  return floats(ctx, [value], [], dtype);
}

/** Whether an element type carries gradients. */
export function isFloatType(dtype: DataTypeCode | undefined): boolean {
  return dtype === undefined || dtype === DataType.FLOAT || dtype === DataType.DOUBLE || dtype === DataType.FLOAT16 || dtype === DataType.BFLOAT16;
}

/** A Reduce* op over `axes`, given as an input from `axesInputSince` on and as an attribute before. */
function reduce(ctx: Emitter, op: string, axesInputSince: number, x: string, axes: readonly number[], keepdims: boolean): string {
  const keep = { keepdims: int(keepdims ? 1 : 0) };
  if (ctx.opset >= axesInputSince) return emit1(ctx, op, [x, int64s(ctx, axes)], keep);
  return emit1(ctx, op, [x], { axes: ints(axes), ...keep });
}

/** ReduceSum over `axes` (axes became an input in opset 13). */
export function reduceSum(ctx: Emitter, x: string, axes: readonly number[], keepdims: boolean): string {
  return reduce(ctx, 'ReduceSum', 13, x, axes, keepdims);
}

/** ReduceMean over `axes` (axes became an input in opset 18). */
export function reduceMean(ctx: Emitter, x: string, axes: readonly number[], keepdims: boolean): string {
  return reduce(ctx, 'ReduceMean', 18, x, axes, keepdims);
}

/** ReduceSumSquare over `axes` (axes became an input in opset 18). */
export function reduceSumSquare(ctx: Emitter, x: string, axes: readonly number[], keepdims: boolean): string {
  return reduce(ctx, 'ReduceSumSquare', 18, x, axes, keepdims);
}

/** Unsqueeze at `axes` (axes became an input in opset 13). */
export function unsqueeze(ctx: Emitter, x: string, axes: readonly number[]): string {
  if (ctx.opset >= 13) return emit1(ctx, 'Unsqueeze', [x, int64s(ctx, axes)]);
  return emit1(ctx, 'Unsqueeze', [x], { axes: ints(axes) });
}

/** Squeeze at `axes` (axes became an input in opset 13). */
export function squeeze(ctx: Emitter, x: string, axes: readonly number[]): string {
  if (ctx.opset >= 13) return emit1(ctx, 'Squeeze', [x, int64s(ctx, axes)]);
  return emit1(ctx, 'Squeeze', [x], { axes: ints(axes) });
}

/** Reshape to a constant shape (0 copies a dim, -1 infers one, so the batch dim may stay dynamic). */
export function reshape(ctx: Emitter, x: string, shape: readonly number[]): string {
  return emit1(ctx, 'Reshape', [x, int64s(ctx, shape)]);
}

/** Reshape `x` to the runtime shape of tensor `like`. */
export function reshapeLike(ctx: Emitter, x: string, like: string): string {
  return emit1(ctx, 'Reshape', [x, emit1(ctx, 'Shape', [like])]);
}

/** Transpose with a permutation. */
export function transpose(ctx: Emitter, x: string, perm: readonly number[]): string {
  return emit1(ctx, 'Transpose', [x], { perm: ints(perm) });
}

/** Slice with constant starts/ends/axes/steps (input form, opset >= 10). */
export function slice(ctx: Emitter, x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): string {
  const inputs = [x, int64s(ctx, starts), int64s(ctx, ends), int64s(ctx, axes)];
  if (steps) inputs.push(int64s(ctx, steps));
  return emit1(ctx, 'Slice', inputs);
}

/** Pad with constant zero padding (pads as an input from opset 11). */
export function pad(ctx: Emitter, x: string, pads: readonly number[]): string {
  if (ctx.opset >= 11) return emit1(ctx, 'Pad', [x, int64s(ctx, pads)]);
  return emit1(ctx, 'Pad', [x], { pads: ints(pads) });
}

/**
 * Sums a gradient of shape `gradShape` down to `targetShape` under numpy broadcasting (for inputs that
 * were broadcast in the forward op). Shapes may hold symbolic dims; equal dims are kept.
 */
export function sumToShape(ctx: Emitter, grad: string, gradShape: readonly Dim[], targetShape: readonly Dim[]): string {
  const lead = gradShape.length - targetShape.length;
  const axes: number[] = [];
  for (let i = 0; i < gradShape.length; i++) {
    if (i < lead) axes.push(i);
    else if (targetShape[i - lead] === 1 && gradShape[i] !== 1) axes.push(i);
  }
  if (axes.length === 0) return grad;
  const summed = reduceSum(ctx, grad, axes, true);
  if (lead === 0) return summed;
  if (targetShape.every((d) => typeof d === 'number')) return reshape(ctx, summed, targetShape as number[]);
  return squeeze(ctx, summed, Array.from({ length: lead }, (_, i) => i));
}
