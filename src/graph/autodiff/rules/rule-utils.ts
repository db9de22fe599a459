/**
 * Attribute readers, the error catalogue and backward building blocks shared by the rules in this
 * folder beyond autodiff/helpers.ts: undoing broadcasting (statically when shapes allow, else with
 * runtime Shape ops), zeros of a tensor's shape, and scattering a gradient back along one axis.
 */
import { ModelError } from '../../../core/errors.js';
import { DataType, type Dim, type Node, type Tensor } from '../../ir.js';
import { emit1, int, int64s, pad, reshape, reshapeLike, reduceSum } from '../helpers.js';
import type { GradContext } from '../rule.js';

// ---- attributes --------------------------------------------------------------------------------

/** An int attribute of a node, or `fallback`. */
export function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
}

/** A float attribute of a node, or `fallback`. */
export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : fallback;
}

/** A string attribute of a node, or `fallback`. */
export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes[name];
  return a?.type === 'string' ? a.value : fallback;
}

/** An ints attribute of a node, or undefined. */
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value.slice() : undefined;
}

/** A floats attribute of a node, or undefined. */
export function attrFloats(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'floats' ? a.value.slice() : undefined;
}

/** Tensor values as plain numbers (int64 via Number). */
export function tensorNumbers(t: Tensor): number[] {
  if (Array.isArray(t.data)) return t.data.map(Number);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

// ---- error catalogue ---------------------------------------------------------------------------

const where = (ctx: GradContext) => ({ node: ctx.node.name, op: ctx.node.opType });

/** The rule needs the static shape (or some static dims) of a forward tensor. */
export function shapeUnknownError(ctx: GradContext, tensor: string, need: string): ModelError {
  return new ModelError('grad-shape-unknown', `the gradient needs ${need} of tensor "${tensor}", which is not known statically`, where(ctx), {
    hint: 'give the image size (static spatial dims) or shapes from a forward run to differentiate()',
  });
}

/** An input that must be a constant (initializer or Constant) is computed at runtime. */
export function notConstantError(ctx: GradContext, what: string, tensor: string): ModelError {
  return new ModelError('grad-not-constant', `the gradient needs ${what} ("${tensor}") to be a constant, but it is computed at runtime`, where(ctx), {
    hint: 'export the model with constant folding (torch.onnx.export do_constant_folding=True) or fixed sizes',
  });
}

/** An attribute value or op variant this rule does not differentiate. */
export function unsupportedVariantError(ctx: GradContext, what: string, supported: string): ModelError {
  return new ModelError('grad-unsupported-variant', `no gradient for ${what}; supported: ${supported}`, where(ctx), {
    hint: 'export the model with a supported variant of this op, or open an issue with the model',
  });
}

/** Returns the static shape of a forward tensor or throws the catalogue error. */
export function requireShape(ctx: GradContext, tensor: string, need = 'the rank'): Dim[] {
  const shape = ctx.shape(tensor);
  if (!shape) throw shapeUnknownError(ctx, tensor, need);
  return shape;
}

/** Returns a static dim of a forward tensor or throws. */
export function requireDim(ctx: GradContext, tensor: string, axis: number): number {
  const d = requireShape(ctx, tensor, `dim ${axis}`)[axis];
  if (typeof d !== 'number') throw shapeUnknownError(ctx, tensor, `dim ${axis}`);
  return d;
}

/** Reads a constant input as numbers, or undefined when the input is omitted (""), or throws if not constant. */
export function constantInput(ctx: GradContext, index: number, what: string): number[] | undefined {
  const name = ctx.node.inputs[index];
  if (name === undefined || name === '') return undefined;
  const t = ctx.constant(name);
  if (!t) throw notConstantError(ctx, what, name);
  return tensorNumbers(t);
}

// ---- building blocks ---------------------------------------------------------------------------

/** The normalised axis (negative counts from the end). */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** A tensor of zeros with the runtime shape of `like` (its element type from ctx, float by default). */
export function zerosLike(ctx: GradContext, like: string): string {
  const dtype = ctx.dtype(like) ?? DataType.FLOAT;
  const value: Tensor = {
    name: '',
    dataType: dtype,
    dims: [1],
    data: dtype === DataType.DOUBLE ? new Float64Array(1) : new Float32Array(1),
  };
  return emit1(ctx, 'ConstantOfShape', [emit1(ctx, 'Shape', [like])], { value: { type: 'tensor', value } });
}

/**
 * Reshapes `x`, a gradient shaped like forward tensor `xForward`, to the shape of forward tensor `like`.
 * When the static shapes allow, the target is a constant: `like`'s dims, with a symbolic batch dim that
 * both tensors share as 0 (copied from `x`). onnxruntime's shape inference then keeps the batch symbol
 * through the backward graph; after a runtime `Shape` it loses it, and its NCHWc rewrite, which must
 * prove the inputs of an element-wise op equal in shape, left the ReLU-mask products of DenseNet121 in
 * plain layout with two reorders each (input gradient 9% slower). Otherwise `Shape(like)` at run time.
 */
export function reshapeAs(ctx: GradContext, x: string, xForward: string, like: string): string {
  const target = ctx.shape(like);
  const from = ctx.shape(xForward);
  if (target && target.every((d, i) => (typeof d === 'number' ? d > 0 : i === 0 && from?.[0] === d))) {
    return reshape(ctx, x, target.map((d) => (typeof d === 'number' ? d : 0)));
  }
  return reshapeLike(ctx, x, like);
}

/**
 * Sums `grad` (shaped like the forward output `output`) down to the shape of forward input `input`,
 * undoing numpy broadcasting. Static axes when both shapes are known; otherwise the axes are found at
 * runtime from Shape ops (opset >= 13, where ReduceSum takes axes as an input).
 */
export function unbroadcast(ctx: GradContext, grad: string, input: string, output: string): string {
  const inShape = ctx.shape(input);
  const outShape = ctx.shape(output);
  if (inShape && outShape && !inShape.includes(null)) {
    const lead = outShape.length - inShape.length;
    const axes: number[] = [];
    for (let i = 0; i < outShape.length; i++) {
      if (i < lead) axes.push(i);
      else if (inShape[i - lead] === 1 && outShape[i] !== 1) axes.push(i);
    }
    if (axes.length === 0) return grad;
    const summed = reduceSum(ctx, grad, axes, true);
    if (lead === 0) return summed;
    return inShape.every((d) => typeof d === 'number') ? reshape(ctx, summed, inShape as number[]) : reshapeLike(ctx, summed, input);
  }
  if (ctx.opset < 13) throw shapeUnknownError(ctx, input, 'the shape (for broadcasting, before opset 13)');
  // Runtime: pad the input shape with leading ones to the output rank; reduce where the dims differ.
  const inDims = emit1(ctx, 'Shape', [input]);
  const outDims = emit1(ctx, 'Shape', [grad]);
  const extra = emit1(ctx, 'Sub', [emit1(ctx, 'Size', [outDims]), emit1(ctx, 'Size', [inDims])]);
  const one: Tensor = { name: '', dataType: DataType.INT64, dims: [1], data: BigInt64Array.from([1n]) };
  const ones = emit1(ctx, 'ConstantOfShape', [reshape(ctx, extra, [1])], { value: { type: 'tensor', value: one } });
  const padded = emit1(ctx, 'Concat', [ones, inDims], { axis: int(0) });
  const differs = emit1(ctx, 'Not', [emit1(ctx, 'Equal', [padded, outDims])]);
  const axes = reshape(ctx, emit1(ctx, 'NonZero', [differs]), [-1]);
  const summed = emit1(ctx, 'ReduceSum', [grad, axes], { keepdims: int(1), noop_with_empty_axes: int(1) });
  return emit1(ctx, 'Reshape', [summed, inDims]);
}

/**
 * The adjoint of "take positions `picked` along `axis` of a tensor whose size there is `size`": puts
 * slice j of `grad` at position picked[j] and zeros elsewhere. Positions must be distinct. Implemented
 * as Pad (one zero slice at the end) + Gather with the inverse map, or a plain Pad for a contiguous run.
 */
export function scatterAlongAxis(ctx: GradContext, grad: string, axis: number, rank: number, size: number, picked: readonly number[]): string {
  const k = picked.length;
  const contiguous = picked.every((p, j) => p === picked[0]! + j);
  const pads = new Array<number>(2 * rank).fill(0);
  if (contiguous && k > 0) {
    pads[axis] = picked[0]!;
    pads[axis + rank] = size - picked[0]! - k;
    return pads.every((p) => p === 0) ? grad : pad(ctx, grad, pads);
  }
  pads[axis + rank] = 1;
  const withZero = pad(ctx, grad, pads);
  const inverse = new Array<number>(size).fill(k);
  picked.forEach((p, j) => (inverse[p] = j));
  return emit1(ctx, 'Gather', [withZero, int64s(ctx, inverse)], { axis: int(axis) });
}

/** Gradients of an op whose inputs after the first are settings (pads, axes, sizes, splits): `[dx, undefined, ...]`. */
export function firstInputGradient(ctx: GradContext, dx: string | undefined): (string | undefined)[] {
  return [dx, ...ctx.node.inputs.slice(1).map(() => undefined)];
}

/** The gradient reaching output 0 when input 0 needs one; undefined when there is nothing to do. */
export function incomingGradient(ctx: GradContext): string | undefined {
  const dy = ctx.outputGrads[0];
  return dy && ctx.needsGrad[0] ? dy : undefined;
}
