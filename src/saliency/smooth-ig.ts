/**
 * Smooth Integrated Gradients: `smooth(integratedGradients)`, the mean over 25 noisy copies of the
 * squared 10-step IG from a black baseline (PAIR `IntegratedGradients.GetSmoothedMask`); the paper's SIG.
 * The black baseline is the clean image's minimum, fixed across the noisy copies as in the paper.
 */
import { integratedGradients } from './integrated-gradients.js';
import { smooth } from './smooth.js';

/** Smooth IG: Integrated Gradients smoothed over noisy copies (raw maps C x H x W). */
export const smoothIg = smooth(integratedGradients, {
  id: 'smooth-ig',
  name: 'Smooth Integrated Gradients',
  paper: 'https://arxiv.org/abs/1706.03825',
});

/** Id, paper and defaults of Smooth IG. */
export const info = smoothIg.info;
