/**
 * Several methods on one batch with shared work: the targets come from one forward pass, one pass gives
 * the gradient and the Grad-CAM layer values, Guided Grad-CAM reuses the guided-backprop and Grad-CAM
 * maps when those run too (no model pass of its own), constant images are explained once, and input
 * gradients of images a later method evaluates again are kept for it (`repeated-inputs.ts`).
 * Results are identical to calling each method alone.
 */
import type { Batch } from '../core/batch.js';
import type { ExplainableModel } from '../core/types.js';
import { gradCam } from './grad-cam.js';
import { gradient } from './gradient.js';
import { guidedBackprop } from './guided-backprop.js';
import { combineGuidedGradCam, guidedGradCam } from './guided-grad-cam.js';
import { integratedGradients } from './integrated-gradients.js';
import { resolveTargets, defaultBatchSize } from './method.js';
import { saliencyErrors } from './messages.js';
import { shareConstantInputs } from './constant-inputs.js';
import { shareRepeatedInputs } from './repeated-inputs.js';
import { shareGradientAndCam } from './shared-passes.js';
import { smoothIg } from './smooth-ig.js';
import { smoothgrad } from './smoothgrad.js';
import type { SaliencyCommonOptions, SaliencyMethod, SaliencyMethodId, SaliencyResult } from './types.js';
import { xrai } from './xrai.js';

/** Options of `explainSuite`: which methods, each method's own options, and options for all. */
export interface SuiteOptions extends SaliencyCommonOptions {
  /** Default: all eight, in the paper's order. */
  readonly methods?: readonly SaliencyMethodId[];
  /** Per-method options, e.g. `{ smoothgrad: { samples: 50 } }`. */
  readonly methodOptions?: Partial<Record<SaliencyMethodId, Readonly<Record<string, unknown>>>>;
  /** Memory for input gradients kept for later methods (default 512 MiB; 0 keeps none). */
  readonly keptPassBytes?: number;
}

/**
 * Methods whose input-gradient passes a later method repeats exactly: the clean image is every path's
 * end; SmoothGrad's noisy copies end Smooth IG's paths (same seed and noise options); IG's path points
 * k/(steps-1) lie on XRAI's black path when XRAI's step count fits (10 and 100 at the paper's settings).
 */
const repeatedBy: Partial<Record<SaliencyMethodId, readonly SaliencyMethodId[]>> = {
  gradient: ['integrated-gradients', 'xrai'],
  smoothgrad: ['smooth-ig'],
  'integrated-gradients': ['xrai'],
};
const repeaters = new Set(Object.values(repeatedBy).flat());

const methodsById: Readonly<Record<SaliencyMethodId, SaliencyMethod<object>>> = {
  gradient: gradient as SaliencyMethod<object>,
  smoothgrad: smoothgrad as SaliencyMethod<object>,
  'integrated-gradients': integratedGradients as SaliencyMethod<object>,
  'smooth-ig': smoothIg as SaliencyMethod<object>,
  'grad-cam': gradCam as SaliencyMethod<object>,
  'guided-backprop': guidedBackprop as SaliencyMethod<object>,
  'guided-grad-cam': guidedGradCam as SaliencyMethod<object>,
  xrai: xrai as SaliencyMethod<object>,
};

const allIds = Object.keys(methodsById) as SaliencyMethodId[];

/** Runs several methods on a batch, sharing the target pass and Guided Grad-CAM's inputs; results by id. */
export async function explainSuite(
  model: ExplainableModel,
  batch: Batch,
  options: SuiteOptions = {},
): Promise<Partial<Record<SaliencyMethodId, SaliencyResult[]>>> {
  const { methods = allIds, methodOptions = {}, keptPassBytes, ...common } = options;
  for (const id of methods) if (!Object.hasOwn(methodsById, id)) throw saliencyErrors.unknownMethod(id, allIds);
  if (keptPassBytes !== undefined && !(keptPassBytes >= 0)) throw saliencyErrors.badOption('suite', 'keptPassBytes', keptPassBytes, 'a number of bytes >= 0');
  const targets = await resolveTargets('suite', model, batch, common.target ?? 'predicted', common.batchSize ?? defaultBatchSize);
  const results: Partial<Record<SaliencyMethodId, SaliencyResult[]>> = {};
  const optionsOf = (id: SaliencyMethodId): Record<string, unknown> => ({ ...common, ...methodOptions[id] });

  // GRAD and Grad-CAM share one pass (Grad-CAM right after GRAD, so the cached layer values live briefly);
  // Guided Grad-CAM last, so it can reuse the two maps it multiplies when they were asked for.
  const camLayerName = (optionsOf('grad-cam').layer as string | null | undefined) ?? model.info.defaultCamLayer;
  const share = methods.includes('gradient') && methods.includes('grad-cam') && camLayerName !== undefined && camLayerName !== null;
  // One constant-image cache for the whole suite (IG, Smooth IG and XRAI start paths at the same
  // baselines), over one cache of the passes later methods repeat.
  const repeated = shareRepeatedInputs(model, keptPassBytes);
  const base = shareConstantInputs(repeated.model);
  const sharedModel = share ? shareGradientAndCam(base, camLayerName) : base;
  const rest = methods.filter((id) => id !== 'guided-grad-cam' && !(share && id === 'grad-cam'));
  if (share) rest.splice(rest.indexOf('gradient') + 1, 0, 'grad-cam');
  const order = [...rest, ...methods.filter((id) => id === 'guided-grad-cam')];
  for (const [index, id] of order.entries()) {
    const later = order.slice(index + 1);
    repeated.keep((repeatedBy[id] ?? []).some((user) => later.includes(user)));
    const method = methodsById[id];
    const passModel = id === 'gradient' || id === 'grad-cam' ? sharedModel : base;
    const guided = results['guided-backprop'];
    const cam = results['grad-cam'];
    const sameCam = JSON.stringify(methodOptions['grad-cam'] ?? {}) === JSON.stringify(methodOptions['guided-grad-cam'] ?? {});
    if (id === 'guided-grad-cam' && guided && cam && sameCam) {
      results[id] = await method.run(model, batch, optionsOf(id), {
        targets,
        attribute: async () => combineGuidedGradCam(stack(guided.map((m) => m.raw)), stack(cam.map((m) => m.raw)), cam.map((m) => m.details)),
      });
      continue;
    }
    results[id] = await method.run(passModel, batch, optionsOf(id), { targets });
    if (!later.some((next) => repeaters.has(next))) repeated.clear();
  }
  return results;
}

function stack(rows: readonly Batch[]): Batch {
  const [, c, h, w] = rows[0]!.shape;
  const data = new Float32Array(rows.length * c * h * w);
  rows.forEach((r, i) => data.set(r.data, i * c * h * w));
  return { data, shape: [rows.length, c, h, w] };
}
