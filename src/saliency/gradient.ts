/**
 * Vanilla gradient (Simonyan et al. 2014): the derivative of the target logit with respect to every
 * input value, C x H x W. PAIR `GradientSaliency`; the paper's GRAD.
 */
import { gradientsInChunks, defineMethod } from './method.js';
import type { SaliencyMethodInfo } from './types.js';

/** Vanilla gradient has no options of its own. */
export type GradientOptions = Record<never, never>;

/** Id, paper and defaults of the vanilla gradient. */
export const info: SaliencyMethodInfo<GradientOptions> = Object.freeze({
  id: 'gradient',
  name: 'Gradient',
  paper: 'https://arxiv.org/abs/1312.6034',
  needs: Object.freeze(['inputGradients'] as const),
  defaults: Object.freeze({}),
  finalize: 'grayscale',
  stochastic: false,
  targetFromFirstPass: true,
});

/** d logit[target] / d input for every image of the batch; raw maps are C x H x W. */
export const gradient = defineMethod<GradientOptions>(info, async (request) => ({
  maps: await gradientsInChunks(request, 'inputGradients', info.id),
}));
