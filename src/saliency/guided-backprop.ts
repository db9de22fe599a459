/**
 * Guided backpropagation (Springenberg et al. 2015): the input gradient with every ReLU's backward pass
 * letting through only positive gradients where its forward input was positive. The engine builds that
 * guided backward graph; the paper's GBP.
 */
import { gradientsInChunks, defineMethod } from './method.js';
import type { SaliencyMethodInfo } from './types.js';

/** Guided backprop has no options of its own. */
export type GuidedBackpropOptions = Record<never, never>;

/** Id, paper and defaults of guided backprop. */
export const info: SaliencyMethodInfo<GuidedBackpropOptions> = Object.freeze({
  id: 'guided-backprop',
  name: 'Guided Backprop',
  paper: 'https://arxiv.org/abs/1412.6806',
  needs: Object.freeze(['guidedGradients'] as const),
  defaults: Object.freeze({}),
  finalize: 'grayscale',
  stochastic: false,
  targetFromFirstPass: true,
});

/** Guided gradients of the target logit for every image; raw maps are C x H x W. */
export const guidedBackprop = defineMethod<GuidedBackpropOptions>(info, async (request) => ({
  maps: await gradientsInChunks(request, 'guidedGradients', info.id),
}));
