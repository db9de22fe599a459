/**
 * The saliency layer's public surface: the eight methods of Arun et al. 2021 behind one signature, the
 * frozen registry `saliencyMethods` from id to `{ info, explain }`, the `smooth` wrapper and XRAI's parts.
 */
import type { Batch } from '../core/batch.js';
import type { ExplainableModel } from '../core/types.js';
import { gradCam } from './grad-cam.js';
import { gradient } from './gradient.js';
import { guidedBackprop } from './guided-backprop.js';
import { guidedGradCam } from './guided-grad-cam.js';
import { integratedGradients } from './integrated-gradients.js';
import { saliencyErrors } from './messages.js';
import { smoothIg } from './smooth-ig.js';
import { smoothgrad } from './smoothgrad.js';
import type { SaliencyMethodInfo, SaliencyMethodOptions, SaliencyResult, SaliencyMethodId } from './types.js';
import { xrai } from './xrai.js';

/** A registry row: the method's description and a uniform entry point. */
export interface SaliencyMethodEntry {
  // Options are typed per method on the method's own function; the registry takes any of them.
  readonly info: SaliencyMethodInfo<object>;
  readonly explain: (model: ExplainableModel, batch: Batch, options?: SaliencyMethodOptions<Record<string, unknown>>) => Promise<SaliencyResult[]>;
}

function entry<O extends object>(method: { info: SaliencyMethodInfo<O> } & ((model: ExplainableModel, batch: Batch, options?: SaliencyMethodOptions<O>) => Promise<SaliencyResult[]>)): SaliencyMethodEntry {
  return Object.freeze({
    info: method.info as SaliencyMethodInfo<object>,
    explain: (model: ExplainableModel, batch: Batch, options?: SaliencyMethodOptions<Record<string, unknown>>) => method(model, batch, options as SaliencyMethodOptions<O>),
  });
}

/** The frozen registry of the eight methods, by id (the paper's order). */
export const saliencyMethods: Readonly<Record<SaliencyMethodId, SaliencyMethodEntry>> = Object.freeze({
  gradient: entry(gradient),
  smoothgrad: entry(smoothgrad),
  'integrated-gradients': entry(integratedGradients),
  'smooth-ig': entry(smoothIg),
  'grad-cam': entry(gradCam),
  'guided-backprop': entry(guidedBackprop),
  'guided-grad-cam': entry(guidedGradCam),
  xrai: entry(xrai),
});

/** Ids of the registered methods, in the paper's order. */
export const saliencyMethodIds = Object.freeze(Object.keys(saliencyMethods) as SaliencyMethodId[]);

/** Looks a method up by id, with a `UsageError` listing the known ids for an unknown one. */
export function getSaliencyMethod(id: string): SaliencyMethodEntry {
  if (!Object.hasOwn(saliencyMethods, id)) throw saliencyErrors.unknownMethod(id, saliencyMethodIds);
  return saliencyMethods[id as SaliencyMethodId];
}

export { gradient } from './gradient.js';
export { smoothgrad } from './smoothgrad.js';
export { integratedGradients, integratePaths, integrationNodes } from './integrated-gradients.js';
export type { BaselineOption, IntegratedGradientsOptions, IntegrationRule } from './integrated-gradients.js';
export { smoothIg } from './smooth-ig.js';
export { smooth, defaultSmoothOptions } from './smooth.js';
export type { SmoothIdentity, SmoothOptions } from './smooth.js';
export { gradCam, camFromLayer } from './grad-cam.js';
export type { GradCamOptions } from './grad-cam.js';
export { guidedBackprop } from './guided-backprop.js';
export { guidedGradCam, combineGuidedGradCam } from './guided-grad-cam.js';
export { explainSuite } from './suite.js';
export type { SuiteOptions } from './suite.js';
export type { GuidedGradCamOptions } from './guided-grad-cam.js';
export { xrai, makeXrai, createXraiSegmentCache, xraiSegmentCache } from './xrai.js';
export type { XraiOptions, XraiSegmentCache } from './xrai.js';
export { xraiSegments, defaultXraiSegmentation } from './xrai/segments.js';
export type { XraiMasks, XraiSegmentationOptions } from './xrai/segments.js';
export { rankXraiRegions, defaultXraiRanking } from './xrai/ranking.js';
export type { XraiRanking, XraiRankingOptions, XraiRegion } from './xrai/ranking.js';
export { defineMethod, defaultBatchSize as defaultSaliencyBatchSize } from './method.js';
export { saliencyErrorCodes } from './messages.js';
export type * from './types.js';
