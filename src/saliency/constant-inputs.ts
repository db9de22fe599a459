/**
 * Input gradients of constant images computed once. Integrated-gradient paths start at their baseline
 * (alpha 0 gives exactly the baseline), and the paper's baselines are constant images: every noisy copy
 * of Smooth IG starts at the same black image, as do IG and XRAI's black path of the same image, and the
 * images of a batch share it when they share a target. A constant image is identified by its value, shape
 * and target, so its gradient is exact to reuse; rows that are not constant pass through untouched.
 */
import { type Batch, itemSize, makeBatch, type TargetRequest } from '../core/batch.js';
import type { ExplainableModel, GradientResult } from '../core/types.js';

/** The value of a row whose every element is the same (NaN never counts as constant), else undefined. */
function constantValue(data: Float32Array, start: number, end: number): number | undefined {
  const v = data[start]!;
  if (Number.isNaN(v)) return undefined;
  for (let k = start + 1; k < end; k++) if (data[k] !== v) return undefined;
  return v;
}

interface Cached {
  readonly gradient: Float32Array;
  readonly logits: Float32Array;
}

/**
 * A view of `model` whose `inputGradients` computes each distinct (constant image, target) once for as
 * long as the view lives; everything else is forwarded. Memory: one gradient per distinct constant image.
 */
export function shareConstantInputs(model: ExplainableModel): ExplainableModel {
  const cache = new Map<string, Cached>();
  return {
    get info() {
      return model.info;
    },
    predict: (batch) => model.predict(batch),
    guidedGradients: (batch, targets) => model.guidedGradients(batch, targets),
    layerGradients: (batch, targets, layers, options) => model.layerGradients(batch, targets, layers, options),
    dispose: () => model.dispose(),
    async inputGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult> {
      if (targets === 'predicted') return model.inputGradients(batch, targets);
      const n = batch.shape[0];
      const per = itemSize(batch);
      const shape = batch.shape.slice(1).join('x');
      const keys: (string | undefined)[] = [];
      const run: number[] = []; // rows sent to the model
      const firstOf = new Map<string, number>(); // constant key -> its row in `run`
      for (let i = 0; i < n; i++) {
        const value = constantValue(batch.data, i * per, (i + 1) * per);
        const key = value === undefined ? undefined : `${shape}|${Object.is(value, -0) ? '-0' : value}|${targets[i]}`;
        keys.push(key);
        if (key === undefined) run.push(i);
        else if (!cache.has(key) && !firstOf.has(key)) {
          firstOf.set(key, run.length);
          run.push(i);
        }
      }
      const remember = (result: GradientResult): void => {
        const k = result.logits.shape[1];
        for (const [key, j] of firstOf) {
          cache.set(key, { gradient: result.gradients.data.slice(j * per, (j + 1) * per), logits: result.logits.data.slice(j * k, (j + 1) * k) });
        }
      };
      if (run.length === n) {
        const result = await model.inputGradients(batch, targets);
        remember(result);
        return result;
      }
      let computed: GradientResult | undefined;
      if (run.length > 0) {
        const data = new Float32Array(run.length * per);
        run.forEach((row, j) => data.set(batch.data.subarray(row * per, (row + 1) * per), j * per));
        computed = await model.inputGradients(makeBatch(data, [run.length, batch.shape[1], batch.shape[2], batch.shape[3]]), Int32Array.from(run, (row) => targets[row]!));
        remember(computed);
      }
      const classes = computed?.logits.shape[1] ?? cache.get(keys.find((k) => k !== undefined)!)!.logits.length;
      const gradients = new Float32Array(n * per);
      const logits = new Float32Array(n * classes);
      const position = new Map(run.map((row, j) => [row, j]));
      for (let i = 0; i < n; i++) {
        const j = position.get(i);
        if (j !== undefined) {
          gradients.set(computed!.gradients.data.subarray(j * per, (j + 1) * per), i * per);
          logits.set(computed!.logits.data.subarray(j * classes, (j + 1) * classes), i * classes);
        } else {
          const hit = cache.get(keys[i]!)!;
          gradients.set(hit.gradient, i * per);
          logits.set(hit.logits, i * classes);
        }
      }
      return { logits: { data: logits, shape: [n, classes] }, gradients: makeBatch(gradients, batch.shape) };
    },
  };
}
