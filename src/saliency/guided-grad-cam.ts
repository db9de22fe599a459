/**
 * Guided Grad-CAM (Selvaraju et al. 2017) as the paper computes it: the product of the post-processed
 * (grayscale, 99th-percentile clipped, in [0, 1]) guided backprop and Grad-CAM maps; the final map is its
 * min-max. Two methods multiplied, nothing more.
 */
import { type Batch, makeBatch } from '../core/batch.js';
import { postprocessMap, postprocessPresets } from '../imaging/postprocess.js';
import { checkGradCamOptions, gradCamAttribution, info as gradCamInfo, type GradCamOptions } from './grad-cam.js';
import { guidedBackprop } from './guided-backprop.js';
import { defineMethod } from './method.js';
import type { SaliencyAttribution, SaliencyMapDetails, SaliencyMethodInfo } from './types.js';

/** Guided Grad-CAM takes Grad-CAM's options (layer, upsampling). */
export type GuidedGradCamOptions = GradCamOptions;

/** Id, paper and defaults of Guided Grad-CAM. */
export const info: SaliencyMethodInfo<GuidedGradCamOptions> = Object.freeze({
  id: 'guided-grad-cam',
  name: 'Guided Grad-CAM',
  paper: 'https://arxiv.org/abs/1610.02391',
  needs: Object.freeze(['guidedGradients', 'layerGradients'] as const),
  defaults: gradCamInfo.defaults,
  finalize: 'minmax',
  stochastic: false,
  targetFromFirstPass: true,
});

/** The paper's grayscale step (abs, channel sum, 99th-percentile clip) of item i; a degenerate map is zeros. */
function grayscale(maps: Batch, i: number): Float32Array {
  const [, c, h, w] = maps.shape;
  const per = c * h * w;
  const raw = { data: maps.data.subarray(i * per, (i + 1) * per), width: w, height: h, channels: c, layout: 'chw' as const };
  return postprocessMap(raw, { ...postprocessPresets.arun2021, minMax: false, degenerate: 'zeros' }).map.data;
}

/** Multiplies the grayscale guided-backprop and Grad-CAM maps of each image (N x 1 x H x W). */
export function combineGuidedGradCam(guided: Batch, cam: Batch, details?: readonly (SaliencyMapDetails | undefined)[]): SaliencyAttribution {
  const [n, , h, w] = guided.shape;
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const a = grayscale(guided, i);
    const b = grayscale(cam, i);
    for (let p = 0; p < h * w; p++) out[i * h * w + p] = a[p]! * b[p]!;
  }
  return { maps: makeBatch(out, [n, 1, h, w]), ...(details ? { details } : {}) };
}

/** Guided Grad-CAM for every image; raw maps are 1 x H x W, the product of the two grayscale maps. */
export const guidedGradCam = defineMethod<GuidedGradCamOptions>(
  info,
  async (request) => {
    // With a predicted target, guided backprop's pass fills request.targets and Grad-CAM's reuses them.
    const guided = await guidedBackprop.attribute({ ...request, options: {} });
    const cam = await gradCamAttribution({ ...request, predictInPass: false }, info.id);
    return combineGuidedGradCam(guided.maps, cam.maps, cam.details);
  },
  (options) => checkGradCamOptions(options, info.id),
);
