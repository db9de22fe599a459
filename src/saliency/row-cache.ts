/**
 * The row bookkeeping behind the views that explain an input once and reuse its gradient: each row of an
 * input-gradient call either has a key (rows with the same key have the same gradient) or not; keyed rows
 * found in the cache are served from it, and the rest go to the model in one call, each distinct key once.
 */
import { type Batch, itemSize, makeBatch, type Targets } from '../core/batch.js';
import type { ExplainableModel, GradientResult } from '../core/types.js';

/** One row's input gradient and logits. */
export interface CachedRow {
  readonly gradient: Float32Array;
  readonly logits: Float32Array;
}

/** Where rows are looked up and computed rows are offered (a store may decline; `row` copies it out). */
export interface RowStore {
  get(key: string): CachedRow | undefined;
  offer(key: string, row: () => CachedRow): void;
}

/** A view of `model` with its own `inputGradients`; every other call is forwarded. */
export function withInputGradients(model: ExplainableModel, inputGradients: ExplainableModel['inputGradients']): ExplainableModel {
  return {
    get info() {
      return model.info;
    },
    predict: (batch) => model.predict(batch),
    guidedGradients: (batch, targets) => model.guidedGradients(batch, targets),
    layerGradients: (batch, targets, layers, options) => model.layerGradients(batch, targets, layers, options),
    dispose: () => model.dispose(),
    inputGradients,
  };
}

/** The model's input-gradient call. */
export type ComputeGradients = (batch: Batch, targets: Targets) => Promise<GradientResult>;

/**
 * The input gradients of `batch` for `targets`, exactly as `compute` gives them, with keyed rows served
 * from `store` when it has them and computed rows offered to it. `keys[i]` is undefined for rows that
 * are never shared.
 */
export async function gradientsByRow(compute: ComputeGradients, batch: Batch, targets: Targets, keys: readonly (string | undefined)[], store: RowStore): Promise<GradientResult> {
  const n = batch.shape[0];
  const per = itemSize(batch);
  const run: number[] = []; // rows sent to the model
  const firstOf = new Map<string, number>(); // key -> its position in `run`
  const hits = new Map<number, CachedRow>();
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (key === undefined) run.push(i);
    else if (!firstOf.has(key)) {
      // (A repeat of a key computed in this call is served from that row below.)
      const hit = store.get(key);
      if (hit) hits.set(i, hit);
      else {
        firstOf.set(key, run.length);
        run.push(i);
      }
    }
  }
  const offer = (result: GradientResult): void => {
    const k = result.logits.shape[1];
    for (const [key, j] of firstOf) {
      store.offer(key, () => ({ gradient: result.gradients.data.slice(j * per, (j + 1) * per), logits: result.logits.data.slice(j * k, (j + 1) * k) }));
    }
  };
  if (run.length === n) {
    const result = await compute(batch, targets);
    offer(result);
    return result;
  }
  let computed: GradientResult | undefined;
  if (run.length > 0) {
    const data = new Float32Array(run.length * per);
    run.forEach((row, j) => data.set(batch.data.subarray(row * per, (row + 1) * per), j * per));
    const shape = [run.length, batch.shape[1], batch.shape[2], batch.shape[3]] as const;
    computed = await compute(makeBatch(data, shape), Int32Array.from(run, (row) => targets[row]!));
    offer(computed);
  }
  const classes = computed?.logits.shape[1] ?? hits.values().next().value!.logits.length;
  const gradients = new Float32Array(n * per);
  const logits = new Float32Array(n * classes);
  const position = new Map(run.map((row, j) => [row, j]));
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const j = position.get(i) ?? (key === undefined ? undefined : firstOf.get(key));
    if (j !== undefined) {
      gradients.set(computed!.gradients.data.subarray(j * per, (j + 1) * per), i * per);
      logits.set(computed!.logits.data.subarray(j * classes, (j + 1) * classes), i * classes);
    } else {
      const hit = hits.get(i)!;
      gradients.set(hit.gradient, i * per);
      logits.set(hit.logits, i * classes);
    }
  }
  return { logits: { data: logits, shape: [n, classes] }, gradients: makeBatch(gradients, batch.shape) };
}
