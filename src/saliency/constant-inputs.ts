/**
 * Input gradients of constant images computed once. Integrated-gradient paths start at their baseline
 * (alpha 0 gives exactly the baseline), and the paper's baselines are constant images: every noisy copy
 * of Smooth IG starts at the same black image, as do IG and XRAI's black path of the same image, and the
 * images of a batch share it when they share a target. A constant image is identified by its value, shape
 * and target, so its gradient is exact to reuse; rows that are not constant pass through untouched.
 */
import { type Batch, itemSize, type TargetRequest } from '../core/batch.js';
import type { ExplainableModel, GradientResult } from '../core/types.js';
import { type CachedRow, gradientsByRow, withInputGradients } from './row-cache.js';

/** The value of a row whose every element is the same (NaN never counts as constant), else undefined. */
function constantValue(data: Float32Array, start: number, end: number): number | undefined {
  const v = data[start]!;
  if (Number.isNaN(v)) return undefined;
  for (let k = start + 1; k < end; k++) if (data[k] !== v) return undefined;
  return v;
}

/**
 * A view of `model` whose `inputGradients` computes each distinct (constant image, target) once for as
 * long as the view lives; everything else is forwarded. Memory: one gradient per distinct constant image.
 */
export function shareConstantInputs(model: ExplainableModel): ExplainableModel {
  const cache = new Map<string, CachedRow>();
  const store = { get: (key: string) => cache.get(key), offer: (key: string, row: () => CachedRow) => void cache.set(key, row()) };
  return withInputGradients(model, (batch: Batch, targets: TargetRequest): Promise<GradientResult> => {
    if (targets === 'predicted') return model.inputGradients(batch, targets);
    const per = itemSize(batch);
    const shape = batch.shape.slice(1).join('x');
    const keys = Array.from({ length: batch.shape[0] }, (_, i) => {
      const value = constantValue(batch.data, i * per, (i + 1) * per);
      return value === undefined ? undefined : `${shape}|${Object.is(value, -0) ? '-0' : value}|${targets[i]}`;
    });
    return gradientsByRow((b, t) => model.inputGradients(b, t), batch, targets, keys, store);
  });
}
