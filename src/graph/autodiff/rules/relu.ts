/**
 * Gradient of Relu. Plain: dX = dY where Y > 0. Guided backprop (Springenberg et al. 2015,
 * https://arxiv.org/abs/1412.6806): dX = relu(dY) where Y > 0. The mask is Sign(Y), which is 0 or 1
 * because Y >= 0, so each form is one or two cheap element-wise ops.
 */
import { emit1 } from '../helpers.js';
import type { GradientRule } from '../rule.js';

/** Relu, with the guided-ReLU rule in guided mode. */
export const reluRule: GradientRule = {
  opTypes: ['Relu'],
  backward(ctx) {
    const dy = ctx.outputGrads[0]!;
    const mask = emit1(ctx, 'Sign', [ctx.node.outputs[0]!]);
    const passed = ctx.mode.guided ? emit1(ctx, 'Relu', [dy]) : dy;
    return [emit1(ctx, 'Mul', [passed, mask])];
  },
};
