/**
 * One model pass for both the vanilla gradient and Grad-CAM: a view of the model whose input-gradient
 * calls also fetch the Grad-CAM layer's activation and gradient (the engine's layer pass with the input
 * gradient added), keeping them until Grad-CAM asks for the same rows. Grad-CAM's own pass is then free:
 * a forward and a partial backward per image saved in a suite run. A `'predicted'` Grad-CAM request
 * cannot be matched to cached rows before its pass, so it runs its own.
 */
import type { Batch, TargetRequest, Targets } from '../core/batch.js';
import type { ExplainableModel, GradientResult, LayerGradientOptions, LayerGradientResult } from '../core/types.js';

/** Rows of a batch are views of one buffer: their offset, length and targets identify them. */
function keyOf(batch: Batch, targets: Targets, layers: readonly string[]): string {
  return `${batch.data.byteOffset}:${batch.data.length}:${batch.shape.join('x')}:${Array.from(targets).join(',')}:${layers.join('|')}`;
}

/**
 * A model view sharing passes between GRAD and Grad-CAM at `layer`. Models that do not return the input
 * gradient from a layer pass get two passes, as without the view.
 */
export function shareGradientAndCam(model: ExplainableModel, layer: string): ExplainableModel {
  const cache = new WeakMap<ArrayBufferLike, Map<string, LayerGradientResult>>();
  const layers = [layer];
  return {
    get info() {
      return model.info;
    },
    predict: (batch) => model.predict(batch),
    guidedGradients: (batch, targets) => model.guidedGradients(batch, targets),
    dispose: () => model.dispose(),
    async inputGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult> {
      const both = await model.layerGradients(batch, targets, layers, { inputGradient: true });
      if (!both.inputGradients) return model.inputGradients(batch, targets);
      const explained = targets === 'predicted' ? both.targets : targets;
      if (explained) {
        let entries = cache.get(batch.data.buffer);
        if (!entries) cache.set(batch.data.buffer, (entries = new Map()));
        entries.set(keyOf(batch, explained, layers), { logits: both.logits, activations: both.activations, gradients: both.gradients });
      }
      return { logits: both.logits, gradients: both.inputGradients, ...(both.targets ? { targets: both.targets } : {}) };
    },
    async layerGradients(batch: Batch, targets: TargetRequest, asked: readonly string[], options?: LayerGradientOptions): Promise<LayerGradientResult> {
      if (targets === 'predicted') return model.layerGradients(batch, targets, asked, options);
      const entries = cache.get(batch.data.buffer);
      const key = keyOf(batch, targets, asked);
      const hit = entries?.get(key);
      if (hit && !options?.inputGradient) {
        // Each cached pass serves one Grad-CAM call; dropping it bounds memory to the rows not yet explained.
        entries!.delete(key);
        return hit;
      }
      return model.layerGradients(batch, targets, asked, options);
    },
  };
}
