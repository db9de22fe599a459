/** Gradients of Identity and inference-mode Dropout: the incoming gradient passes through unchanged. */
import type { GradientRule } from '../rule.js';

/** Identity and Dropout (always differentiated as inference Dropout, which is the identity). */
export const identityRule: GradientRule = {
  opTypes: ['Identity', 'Dropout'],
  backward(ctx) {
    // Dropout's ratio and training_mode inputs get no gradient.
    return ctx.node.inputs.map((_, i) => (i === 0 ? ctx.outputGrads[0] : undefined));
  },
};
