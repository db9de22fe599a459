/**
 * Gradients of ConvTranspose (weights W `[C_in, C_out/group, ...k]`), the adjoint of Conv:
 *   dx = Conv(dy, W) with the same strides, dilations, pads and group;
 *   dW = the conv weight gradient with the roles of x and dy swapped, computed as one Conv over
 *        batch-transposed tensors (channels as batch, batch as channels; strides and dilations trade
 *        places), cropped to the kernel; groups take the block diagonal of the all-pairs result;
 *   db = ReduceSum(dy) over all axes but channels.
 * Pads come from `pads`, or from `output_shape` / SAME_* auto_pad (then spatial sizes must be static).
 * ConvTranspose is rare in classifiers (U-Net decoders); dW is correct but not tuned for speed.
 */
import { emit1, int, ints, int64s, reduceSum, reshape, slice, transpose } from '../helpers.js';
import type { GradContext, GradientRule } from '../rule.js';
import { attrInt, attrInts, attrString, requireDim, requireShape, unsupportedVariantError } from './rule-utils.js';

/** The effective begin/end pads of a ConvTranspose node (ONNX rules for pads, auto_pad, output_shape). */
function effectivePads(ctx: GradContext, spatial: number, kernel: number[], strides: number[], dilations: number[]): number[] {
  const { node } = ctx;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const outputShape = attrInts(node, 'output_shape');
  if (autoPad === 'VALID') return new Array<number>(2 * spatial).fill(0);
  if (!outputShape && autoPad === 'NOTSET') return attrInts(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const outputPadding = attrInts(node, 'output_padding') ?? new Array<number>(spatial).fill(0);
  const x = node.inputs[0]!;
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < spatial; i++) {
    const size = requireDim(ctx, x, i + 2);
    const target = outputShape ? outputShape[outputShape.length - spatial + i]! : size * strides[i]!;
    const total = strides[i]! * (size - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - target;
    if (total < 0) throw unsupportedVariantError(ctx, 'an output_shape larger than the unpadded output', 'output_shape within the natural output size');
    const half = Math.floor(total / 2);
    // SAME_UPPER puts the larger half at the end; SAME_LOWER and output_shape alone at the start.
    if (autoPad === 'SAME_UPPER') {
      begins.push(half);
      ends.push(total - half);
    } else {
      begins.push(total - half);
      ends.push(half);
    }
  }
  return [...begins, ...ends];
}

/** ConvTranspose: dx = Conv(dy, W); dW by a batch-transposed Conv; db = sum of dy. */
export const convTransposeRule: GradientRule = {
  opTypes: ['ConvTranspose'],
  backward(ctx) {
    const { node } = ctx;
    const dy = ctx.outputGrads[0];
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    if (!dy) return node.inputs.map(() => undefined);
    const wShape = requireShape(ctx, w, 'the shape');
    const spatial = wShape.length - 2;
    const kernel = attrInts(node, 'kernel_shape') ?? wShape.slice(2).map((d) => d as number);
    const strides = attrInts(node, 'strides') ?? new Array<number>(spatial).fill(1);
    const dilations = attrInts(node, 'dilations') ?? new Array<number>(spatial).fill(1);
    const group = attrInt(node, 'group', 1);
    const pads = effectivePads(ctx, spatial, kernel, strides, dilations);
    const grads: (string | undefined)[] = node.inputs.map(() => undefined);
    if (ctx.needsGrad[0]) {
      grads[0] = emit1(ctx, 'Conv', [dy, w], { kernel_shape: ints(kernel), strides: ints(strides), dilations: ints(dilations), pads: ints(pads), group: int(group) });
    }
    if (ctx.needsGrad[1]) {
      const [cIn, perGroupOut] = wShape as [number, number];
      if (typeof cIn !== 'number' || typeof perGroupOut !== 'number') throw unsupportedVariantError(ctx, 'weights of unknown shape', 'static weight shapes');
      const swap = [1, 0, ...kernel.map((_, i) => i + 2)];
      const allPairs = emit1(ctx, 'Conv', [transpose(ctx, dy, swap), transpose(ctx, x, swap)], {
        strides: ints(dilations),
        dilations: ints(strides),
        pads: ints(pads),
      });
      // [C_out, C_in, k'] with k' >= k (the extra cells are output_padding rows): crop, then [C_in, C_out, k].
      const cropped = slice(ctx, allPairs, kernel.map(() => 0), kernel, kernel.map((_, i) => i + 2));
      let dw = transpose(ctx, cropped, swap);
      if (group > 1) {
        // Block diagonal: dW[g*ci' + i, j] = all[g, i, g, j] for matching groups g.
        const perGroupIn = cIn / group;
        const blocks = reshape(ctx, dw, [group, perGroupIn, group, perGroupOut, ...kernel]);
        const paired = reshape(ctx, transpose(ctx, blocks, [0, 2, 1, 3, ...kernel.map((_, i) => i + 4)]), [group * group, perGroupIn, perGroupOut, ...kernel]);
        const diagonal = emit1(ctx, 'Gather', [paired, int64s(ctx, Array.from({ length: group }, (_, g) => g * (group + 1)))], { axis: int(0) });
        dw = reshape(ctx, diagonal, [cIn, perGroupOut, ...kernel]);
      }
      grads[1] = dw;
    }
    if (b && ctx.needsGrad[2]) grads[2] = reduceSum(ctx, dy, [0, ...kernel.map((_, i) => i + 2)], false);
    return grads;
  },
};
