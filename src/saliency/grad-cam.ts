/**
 * Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of d logit / d A over a convolutional
 * layer's activation A; map = ReLU(sum_c w_c A_c), divided by its maximum, then upsampled to the image
 * with pixel-centre bilinear interpolation (PAIR `GradCam`; the paper's GCAM at `mixed10`).
 */
import { makeBatch } from '../core/batch.js';
import type { Map2D } from '../core/types.js';
import { upsample, type UpsampleMethod } from '../imaging/upsample.js';
import { checkShape, defineMethod, keepPredicted, passTargets, rows } from './method.js';
import { saliencyErrors } from './messages.js';
import type { SaliencyAttribution, SaliencyAttributionRequest, SaliencyMapDetails, SaliencyMethodInfo } from './types.js';

/** Options of Grad-CAM. */
export interface GradCamOptions {
  /** Layer whose activation is weighted (default `null`: the model's `info.defaultCamLayer`). */
  readonly layer: string | null;
  /** Interpolation to the input size (default `'bilinear'`, pixel-centre aligned). */
  readonly upsample: UpsampleMethod;
}

/** Id, paper and defaults of Grad-CAM. */
export const info: SaliencyMethodInfo<GradCamOptions> = Object.freeze({
  id: 'grad-cam',
  name: 'Grad-CAM',
  paper: 'https://arxiv.org/abs/1610.02391',
  needs: Object.freeze(['layerGradients'] as const),
  defaults: Object.freeze({ layer: null, upsample: 'bilinear' } as const),
  finalize: 'grayscale',
  stochastic: false,
  targetFromFirstPass: true,
});

/** Checks Grad-CAM options (also used by Guided Grad-CAM, whose id `method` the errors name). */
export function checkGradCamOptions(options: GradCamOptions, method: string): void {
  if (options.layer !== null && (typeof options.layer !== 'string' || options.layer.length === 0)) {
    throw saliencyErrors.badOption(method, 'layer', options.layer, 'a layer name or null');
  }
  if (options.upsample !== 'bilinear' && options.upsample !== 'nearest') throw saliencyErrors.badOption(method, 'upsample', options.upsample, "'bilinear' or 'nearest'");
}

/** The layer Grad-CAM uses for this model and options. */
export function camLayer(request: SaliencyAttributionRequest<GradCamOptions>, method: string): string {
  const { model } = request;
  const layer = request.options.layer ?? model.info.defaultCamLayer;
  // Other names (e.g. a block name such as "mixed10") are the model's to resolve.
  if (layer === undefined || layer === null) throw saliencyErrors.noCamLayer(method, model.info.name, model.info.layers.map((l) => l.name));
  return layer;
}

/** Grad-CAM of one image from its layer activation and gradient (K x h x w each), before upsampling. */
export function camFromLayer(activation: Float32Array, gradient: Float32Array, channels: number, height: number, width: number): Map2D {
  const plane = height * width;
  const cam = new Float64Array(plane);
  for (let k = 0; k < channels; k++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += gradient[k * plane + p]!;
    const weight = sum / plane;
    for (let p = 0; p < plane; p++) cam[p]! += weight * activation[k * plane + p]!;
  }
  let max = 0;
  for (let p = 0; p < plane; p++) {
    if (!(cam[p]! > 0)) cam[p] = 0;
    if (cam[p]! > max) max = cam[p]!;
  }
  const out = new Float32Array(plane);
  // An all-zero map stays zero (PAIR divides only when the maximum is positive).
  for (let p = 0; p < plane; p++) out[p] = max > 0 ? cam[p]! / max : 0;
  return { data: out, width, height };
}

/** Raw Grad-CAM maps (N x 1 x H x W) with the low-resolution map and layer of each image as details. */
export async function gradCamAttribution(request: SaliencyAttributionRequest<GradCamOptions>, method: string): Promise<SaliencyAttribution> {
  const { model, batch, batchSize } = request;
  const layer = camLayer(request, method);
  const [n, , height, width] = batch.shape;
  const out = new Float32Array(n * height * width);
  const details: SaliencyMapDetails[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const result = await model.layerGradients(rows(batch, start, end), passTargets(request, start, end), [layer]);
    keepPredicted(request, method, result.targets, start, end);
    const activation = result.activations[layer];
    const gradient = result.gradients[layer];
    if (!activation || !gradient) throw saliencyErrors.unknownLayer(method, layer, model.info.layers.map((l) => l.name));
    const [, k, h, w] = activation.shape;
    checkShape(method, `activation of ${layer}`, activation, [end - start, k, h, w]);
    checkShape(method, `gradient at ${layer}`, gradient, [end - start, k, h, w]);
    const per = k * h * w;
    for (let j = 0; j < end - start; j++) {
      const low = camFromLayer(activation.data.subarray(j * per, (j + 1) * per), gradient.data.subarray(j * per, (j + 1) * per), k, h, w);
      const up = upsample(low, { width, height, method: request.options.upsample }).map;
      out.set(up.data, (start + j) * height * width);
      details.push({ lowRes: low, layer });
    }
    request.progress(end - start);
  }
  return { maps: makeBatch(out, [n, 1, height, width]), details };
}

/** Grad-CAM of the target logit for every image; raw maps are 1 x H x W in [0, 1]. */
export const gradCam = defineMethod<GradCamOptions>(info, (request) => gradCamAttribution(request, info.id), (o) => checkGradCamOptions(o, info.id));

