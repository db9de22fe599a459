/**
 * Gradient of BatchNormalization, y = scale * (x - mean) / sqrt(var + eps) + B, per channel (axis 1).
 * Inference: dX = dY * scale / sqrt(var + eps), folded into one constant when scale and var are constant.
 * Training (mode.training): the forward rewrite switches the node to batch statistics (biased variance,
 * as PyTorch normalises), emits it as a Mul and an Add on the centred input, and exposes running-stat updates (PyTorch's convention: unbiased variance,
 * running = momentum * running + (1 - momentum) * batch, ONNX `momentum` default 0.9); the backward is
 * the fused formula dX = scale/sigma * (dY - mean(dY) - xhat * mean(dY * xhat)), rearranged below.
 * Running mean/var are statistics, never trained: they get no gradient (as buffers in PyTorch).
 */
import { ModelError } from '../../../core/errors.js';
import { DataType, type DataTypeCode, type Node, type Tensor } from '../../ir.js';
import { emit1, type Emitter, floats, int64s, reduceMean, reduceSum, reduceSumSquare, reshape, scalar } from '../helpers.js';
import type { ForwardContext, GradContext, GradientRule } from '../rule.js';

function epsilonOf(ctx: { node: GradContext['node'] }): number {
  const a = ctx.node.attributes.epsilon;
  return a?.type === 'float' ? a.value : 1e-5;
}

function rankOf(ctx: GradContext | ForwardContext): number {
  const dims = ctx.shape(ctx.node.inputs[0]!);
  if (!dims) throw new ModelError('grad-shape-unknown', `BatchNormalization gradient needs the rank of "${ctx.node.inputs[0]}"`, { node: ctx.node.name, op: ctx.node.opType });
  return dims.length;
}

/** Axes reduced for per-channel statistics: all but axis 1. */
function statAxes(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

/** Reshapes a per-channel [C] tensor to broadcast against [N, C, ...]. */
function perChannel(ctx: Emitter, x: string, rank: number): string {
  return reshape(ctx, x, [-1, ...new Array<number>(rank - 2).fill(1)]);
}

function values(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>, Number);
}

function floatConst(ctx: Emitter, data: number[], dims: number[], dtype: DataTypeCode | undefined): string {
  return floats(ctx, data, dims, dtype === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT);
}

/**
 * What the forward rewrite of a training-mode node computed that its backward reuses (fewer nodes: the
 * per-channel ones cost more in scheduling than in arithmetic): the centred input `x - mean`, the
 * elements per channel, and 1 / sigma and scale / sigma shaped to broadcast per channel.
 */
const forwardOf = new WeakMap<Node, { centered: string; count: string; inv: string; a: string }>();

/** 1 / sqrt(variance + eps), shaped to broadcast per channel. */
function invStdOf(ctx: Emitter, variance: string, eps: number, dtype: DataTypeCode | undefined, rank: number): string {
  return perChannel(ctx, emit1(ctx, 'Reciprocal', [emit1(ctx, 'Sqrt', [emit1(ctx, 'Add', [variance, scalar(ctx, eps, dtype)])])]), rank);
}

/** Elements per channel of `x` (all but axis 1), as a float scalar computed at run time. */
function elementsPerChannel(ctx: Emitter, x: string, dtype: DataTypeCode | undefined, channels?: number): string {
  const asFloat = (t: string) => emit1(ctx, 'Cast', [t], { to: { type: 'int', value: dtype ?? DataType.FLOAT } });
  const size = asFloat(emit1(ctx, 'Size', [x]));
  // With a static channel count, one Div by a constant (the batch dim may still be symbolic).
  if (channels) return emit1(ctx, 'Div', [size, scalar(ctx, channels, dtype)]);
  return emit1(ctx, 'Div', [size, asFloat(emit1(ctx, 'Gather', [emit1(ctx, 'Shape', [x]), int64s(ctx, [1])]))]);
}

/** BatchNormalization in inference mode, or with batch statistics in training mode. */
export const batchNormalizationRule: GradientRule = {
  opTypes: ['BatchNormalization'],

  forward(ctx) {
    if (!ctx.mode.training) return;
    const { node } = ctx;
    const [x, , , runningMean, runningVar] = node.inputs as [string, string, string, string, string];
    const rank = rankOf(ctx);
    const axes = statAxes(rank);
    const dtype = ctx.dtype(x);
    const mean = reduceMean(ctx, x, axes, false);
    const centered = emit1(ctx, 'Sub', [x, perChannel(ctx, mean, rank)]);
    // Elements per channel at run time; the variance as one ReduceSumSquare pass over the centred input
    // (a Mul + ReduceMean wrote and re-read a full-size square: about 30 ms of an InceptionV3@320 step).
    const channels = ctx.shape(x)?.[1];
    const count = elementsPerChannel(ctx, x, dtype, typeof channels === 'number' ? channels : undefined);
    const variance = emit1(ctx, 'Div', [reduceSumSquare(ctx, centered, axes, false), count]);
    ctx.setInput(3, mean);
    ctx.setInput(4, variance);
    delete node.attributes.training_mode;
    if (node.outputs.length > 1) node.outputs.length = 1; // training-only outputs of BN-14/15 are not produced by the inference kernel
    // y = centred * (scale / sigma) + B as a Mul and an Add, which onnxruntime runs on all threads; its
    // BatchNormalization kernel is single-threaded (InceptionV3@320 step at batch 4: 115 ms over the 94
    // BatchNorms, the stem's [4, 64, 157, 157] one 19 ms against 1.7 ms for a Sub of that shape).
    const [, scale, bias] = node.inputs as [string, string, string];
    const inv = invStdOf(ctx, variance, epsilonOf(ctx), dtype, rank);
    const a = emit1(ctx, 'Mul', [perChannel(ctx, scale, rank), inv]);
    forwardOf.set(node, { centered, count, inv, a });
    ctx.lowerTo([emit1(ctx, 'Add', [emit1(ctx, 'Mul', [centered, a]), perChannel(ctx, bias, rank)])]);
    const momentumAttr = node.attributes.momentum;
    const momentum = momentumAttr?.type === 'float' ? momentumAttr.value : 0.9;
    const keep = scalar(ctx, momentum, dtype);
    const take = scalar(ctx, 1 - momentum, dtype);
    const blend = (running: string, batch: string) => emit1(ctx, 'Add', [emit1(ctx, 'Mul', [running, keep]), emit1(ctx, 'Mul', [batch, take])]);
    // Unbiased variance for the running estimate: n / (n - 1).
    const bessel = emit1(ctx, 'Div', [count, emit1(ctx, 'Sub', [count, scalar(ctx, 1, dtype)])]);
    if (runningMean) ctx.exposeUpdate(runningMean, blend(runningMean, mean));
    if (runningVar) ctx.exposeUpdate(runningVar, blend(runningVar, emit1(ctx, 'Mul', [variance, bessel])));
  },

  backward(ctx) {
    const { node } = ctx;
    const [x, scale, , mean, variance] = node.inputs as [string, string, string, string, string];
    const dy = ctx.outputGrads[0]!;
    const rank = rankOf(ctx);
    const axes = statAxes(rank);
    const eps = epsilonOf(ctx);
    const dtype = ctx.dtype(x);
    const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
    const invStd = (): string => invStdOf(ctx, variance, eps, dtype, rank);
    const normalized = (inv: string): string => emit1(ctx, 'Mul', [emit1(ctx, 'Sub', [x, perChannel(ctx, mean, rank)]), inv]);

    if (ctx.mode.training) {
      // Written for few full-size passes (the element-wise ops dominate training steps after the convs):
      // with c = x - mean (the forward's own Sub, reused: onnxruntime's common-subexpression pass did not
      // merge a second one, 94 Subs and about 60 ms of an InceptionV3@320 step; held instead of x, which
      // nothing else in the backward needs, so memory is unchanged),
      // dX = a * dY + b * c + c0 per channel, a = scale / sigma, b = -a * sum(dY * c) / (count * sigma^2),
      // c0 = -a * sum(dY) / count; dScale = sum(dY * c) / sigma, dB = sum(dY).
      const forward = forwardOf.get(node);
      const inv = forward?.inv ?? invStd();
      const centered = forward?.centered ?? emit1(ctx, 'Sub', [x, perChannel(ctx, mean, rank)]);
      const sumDy = reduceSum(ctx, dy, axes, true);
      const sumDyC = reduceSum(ctx, emit1(ctx, 'Mul', [dy, centered]), axes, true);
      if (ctx.needsGrad[0]) {
        const a = forward?.a ?? emit1(ctx, 'Mul', [perChannel(ctx, scale, rank), inv]);
        const count = forward?.count ?? elementsPerChannel(ctx, x, dtype);
        const minusAOverCount = emit1(ctx, 'Div', [emit1(ctx, 'Neg', [a]), count]);
        const b = emit1(ctx, 'Mul', [emit1(ctx, 'Mul', [minusAOverCount, emit1(ctx, 'Mul', [inv, inv])]), sumDyC]);
        const c0 = emit1(ctx, 'Mul', [minusAOverCount, sumDy]);
        // Two Adds, not one three-input Sum: onnxruntime's Sum broadcasts the per-channel c0 slowly (the
        // InceptionV3@320 training step's Sum nodes went from 95 to 39 ms for 39 ms of Add; measured).
        grads[0] = emit1(ctx, 'Add', [emit1(ctx, 'Add', [emit1(ctx, 'Mul', [dy, a]), emit1(ctx, 'Mul', [centered, b])]), c0]);
      }
      if (ctx.needsGrad[1]) grads[1] = reshape(ctx, emit1(ctx, 'Mul', [sumDyC, inv]), [-1]);
      if (ctx.needsGrad[2]) grads[2] = reshape(ctx, sumDy, [-1]);
      return grads;
    }

    const scaleT = ctx.constant(scale);
    const varT = ctx.constant(variance);
    let inv: string | undefined;
    if (ctx.needsGrad[0]) {
      let k: string;
      if (scaleT && varT) {
        // Fold scale / sqrt(var + eps) into one per-channel constant, computed in float64.
        const s = values(scaleT);
        const v = values(varT);
        k = floatConst(ctx, s.map((si, i) => si / Math.sqrt(v[i]! + eps)), [s.length, ...new Array<number>(rank - 2).fill(1)], dtype);
      } else {
        inv = invStd();
        k = emit1(ctx, 'Mul', [perChannel(ctx, scale, rank), inv]);
      }
      grads[0] = emit1(ctx, 'Mul', [dy, k]);
    }
    if (ctx.needsGrad[1]) grads[1] = reduceSum(ctx, emit1(ctx, 'Mul', [dy, normalized(inv ?? invStd())]), axes, false);
    if (ctx.needsGrad[2]) grads[2] = reduceSum(ctx, dy, axes, false);
    return grads;
  },
};
