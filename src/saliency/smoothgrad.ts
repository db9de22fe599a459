/**
 * SmoothGrad (Smilkov et al. 2017): `smooth(gradient)`, the mean over 25 noisy copies (noise 15% of the
 * image's range) of the squared vanilla gradient, PAIR `GetSmoothedMask` defaults; the paper's SG.
 */
import { gradient } from './gradient.js';
import { smooth } from './smooth.js';

/** SmoothGrad: the vanilla gradient smoothed over noisy copies (raw maps C x H x W). */
export const smoothgrad = smooth(gradient, {
  id: 'smoothgrad',
  name: 'SmoothGrad',
  paper: 'https://arxiv.org/abs/1706.03825',
});

/** Id, paper and defaults of SmoothGrad. */
export const info = smoothgrad.info;
