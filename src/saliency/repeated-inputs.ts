/**
 * Input gradients of images that recur across the methods of a suite, computed once. At the paper's
 * settings Smooth IG's path ends (alpha 1) are SmoothGrad's noisy copies (same seed, same noise), and
 * IG's path points k/9 are XRAI's black-path points 11k/99, its end the clean image, which XRAI's other
 * path also ends at. A row is identified by the SHA-256 of its bytes, its shape and its target, so a
 * reused gradient is the one the model gives for exactly that input. Rows are kept only while `keep` is
 * on and within `maxBytes` (first come, first kept); the owner clears them when no later method needs them.
 */
import { type Batch, itemSize, type TargetRequest, type Targets } from '../core/batch.js';
import { hashBytes } from '../core/hash.js';
import type { ExplainableModel, GradientResult } from '../core/types.js';
import { type CachedRow, gradientsByRow, withInputGradients } from './row-cache.js';

/** A model view that reuses the input gradients of repeated images, and its controls. */
export interface RepeatedInputs {
  readonly model: ExplainableModel;
  /** Keep the rows computed from now on (until turned off) for later calls. */
  keep(on: boolean): void;
  /** Drops every kept row. */
  clear(): void;
  /** Rows served from kept rows, rows sent to the model, and the bytes kept now. */
  stats(): { reused: number; computed: number; keptBytes: number };
}

/** Wraps `model`; `maxBytes` bounds the memory of kept gradients and logits (default 512 MiB). */
export function shareRepeatedInputs(model: ExplainableModel, maxBytes = 512 * 2 ** 20): RepeatedInputs {
  const kept = new Map<string, CachedRow>();
  let keeping = false;
  let keptBytes = 0;
  let reused = 0;
  let computed = 0;
  const store = {
    get(key: string): CachedRow | undefined {
      const row = kept.get(key);
      if (row) reused++;
      return row;
    },
    offer(key: string, row: () => CachedRow): void {
      if (!keeping || keptBytes >= maxBytes) return;
      const copy = row();
      const bytes = copy.gradient.byteLength + copy.logits.byteLength;
      if (keptBytes + bytes > maxBytes) return;
      kept.set(key, copy);
      keptBytes += bytes;
    },
  };
  const view = withInputGradients(model, (batch: Batch, targets: TargetRequest): Promise<GradientResult> => {
    const n = batch.shape[0];
    // Nothing to find and nothing to keep: no hashing.
    if (targets === 'predicted' || (!keeping && kept.size === 0)) {
      computed += n;
      return model.inputGradients(batch, targets);
    }
    const per = itemSize(batch);
    const shape = batch.shape.slice(1).join('x');
    const keys = Array.from({ length: n }, (_, i) => `${shape}|${targets[i]}|${hashBytes(batch.data.subarray(i * per, (i + 1) * per))}`);
    const compute = (rows: Batch, rowTargets: Targets): Promise<GradientResult> => {
      computed += rows.shape[0];
      return model.inputGradients(rows, rowTargets);
    };
    return gradientsByRow(compute, batch, targets, keys, store);
  });
  return {
    model: view,
    keep(on) {
      keeping = on;
    },
    clear() {
      kept.clear();
      keptBytes = 0;
    },
    stats: () => ({ reused, computed, keptBytes }),
  };
}
