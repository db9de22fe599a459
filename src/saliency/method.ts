/**
 * `defineMethod` turns a method's `info` and raw `attribute` step into the shared signature: it resolves
 * options and targets, runs the step, post-processes every map and records options, seed and timing.
 * Also the batched model passes the methods share.
 */
import { type Batch, argmaxRows, itemSize, makeBatch } from '../core/batch.js';
import { hashBytes } from '../core/hash.js';
import type { ExplainableModel } from '../core/types.js';
import { postprocessMap, postprocessPresets, type PostprocessOptions } from '../imaging/postprocess.js';
import { shareConstantInputs } from './constant-inputs.js';
import { saliencyErrors } from './messages.js';
import type { SaliencyAttribution, SaliencyAttributionRequest, SaliencyMethodInfo, SaliencyMethodOptions, SaliencyResult, SaliencyMethod, SaliencyRunHooks, SaliencyTarget } from './types.js';

/** Default number of inputs per model call. */
export const defaultBatchSize = 32;

const commonKeys = ['target', 'batchSize', 'postprocess', 'onProgress'] as const;

/** Builds a method with the shared signature from its info, raw step and option checks. */
export function defineMethod<O extends object>(
  info: SaliencyMethodInfo<O>,
  attribute: (request: SaliencyAttributionRequest<O>) => Promise<SaliencyAttribution>,
  validate: (options: O) => void = () => {},
): SaliencyMethod<O> {
  const resolve = (options: Partial<O>): O => {
    const known = Object.keys(info.defaults);
    const merged: Record<string, unknown> = { ...info.defaults };
    for (const [key, value] of Object.entries(options)) {
      if ((commonKeys as readonly string[]).includes(key)) continue;
      if (!known.includes(key)) throw saliencyErrors.unknownOption(info.id, key, [...known, ...commonKeys]);
      if (value !== undefined) merged[key] = value;
    }
    const resolved = merged as O;
    validate(resolved);
    return resolved;
  };

  const run = async (
    model: ExplainableModel,
    batch: Batch,
    options: SaliencyMethodOptions<O> = {} as SaliencyMethodOptions<O>,
    hooks: SaliencyRunHooks<O> = {},
  ): Promise<SaliencyResult[]> => {
    const started = performance.now();
    const resolved = resolve(options);
    const batchSize = resolveBatchSize(info.id, options.batchSize);
    checkBatch(info.id, model, batch);
    const n = batch.shape[0];
    let done = 0;
    const progress = (units: number): void => {
      done += units;
      options.onProgress?.({ stage: info.id, done, total: n, detail: 'images' });
    };
    // Methods whose first pass runs on the images take the predicted class from it (no forward pass first).
    const inPass = !hooks.targets && (options.target ?? 'predicted') === 'predicted' && info.targetFromFirstPass === true;
    const targets = hooks.targets ?? (inPass ? new Int32Array(n) : await resolveTargets(info.id, model, batch, options.target ?? 'predicted', batchSize));
    if (targets.length !== n) throw saliencyErrors.badTarget(info.id, `${targets.length} targets for ${n} images`, model.info.numClasses);
    // Constant images (IG baselines at alpha 0) are explained once per call.
    const passes = shareConstantInputs(model);
    const request = { model: passes, batch, targets, options: resolved, batchSize, reference: batch, progress, ...(inPass ? { predictInPass: true } : {}) };
    const attribution = await (hooks.attribute ?? attribute)(request);
    const post: PostprocessOptions = { ...postprocessPresets.arun2021, ...options.postprocess };
    const recorded = recordOptions(resolved, options.target ?? 'predicted', batchSize, post, info.finalize);
    const seed = info.stochastic ? (resolved as { seed?: number }).seed : undefined;
    const results = finalizeAll(info, attribution, targets, post, recorded, seed);
    // Timing covers the whole call (targets, passes, post-processing), shared equally by the images.
    const milliseconds = (performance.now() - started) / Math.max(1, n);
    return results.map((r) => ({ ...r, milliseconds }));
  };
  const method = (model: ExplainableModel, batch: Batch, options?: SaliencyMethodOptions<O>): Promise<SaliencyResult[]> => run(model, batch, options);
  return Object.assign(method, { info, attribute, resolve, run });
}

/** Post-processes each raw map into a `SaliencyResult`. */
function finalizeAll<O extends object>(
  info: SaliencyMethodInfo<O>,
  attribution: SaliencyAttribution,
  targets: Int32Array,
  post: PostprocessOptions,
  recorded: Readonly<Record<string, unknown>>,
  seed: number | undefined,
): SaliencyResult[] {
  const maps = attribution.maps;
  const [n, c, h, w] = maps.shape;
  const per = c * h * w;
  const out: SaliencyResult[] = [];
  for (let i = 0; i < n; i++) {
    const raw = { data: maps.data.slice(i * per, (i + 1) * per), shape: [1, c, h, w] as const };
    const options: PostprocessOptions =
      info.finalize === 'minmax' ? { sign: 'signed', channels: 'sum', clipPercentile: null, minMax: true, degenerate: post.degenerate ?? 'nan' } : post;
    const result = postprocessMap({ data: raw.data, width: w, height: h, channels: c, layout: 'chw' }, options);
    const details = attribution.details?.[i];
    out.push({
      method: info.id,
      raw,
      final: result.map,
      target: targets[i]!,
      degenerate: result.degenerate,
      steps: result.steps,
      options: recorded,
      seed,
      milliseconds: 0,
      ...(details ? { details } : {}),
    });
  }
  return out;
}

function recordOptions(
  resolved: object,
  target: SaliencyTarget,
  batchSize: number,
  post: PostprocessOptions,
  finalize: string,
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) {
    // Large arrays (a custom baseline) are recorded by shape and content hash, not copied into every result.
    if (value && typeof value === 'object' && 'data' in value && 'shape' in value) {
      out[key] = { kind: 'batch', shape: (value as Batch).shape, sha256: hashBytes((value as Batch).data) };
    } else out[key] = value;
  }
  out.target = target;
  out.batchSize = batchSize;
  out.postprocess = { ...post, finalize };
  return Object.freeze(out);
}

function resolveBatchSize(method: string, batchSize: number | undefined): number {
  const value = batchSize ?? defaultBatchSize;
  if (!Number.isInteger(value) || value < 1) throw saliencyErrors.badOption(method, 'batchSize', batchSize, 'a positive integer');
  return value;
}

function checkBatch(method: string, model: ExplainableModel, batch: Batch): void {
  const [, c, h, w] = batch.shape;
  const [ec, eh, ew] = model.info.inputShape;
  // Models with a dynamic spatial size report 0 or -1 there; only check what is fixed.
  const fits = (got: number, want: number): boolean => want <= 0 || got === want;
  if (!fits(c, ec) || !fits(h, eh) || !fits(w, ew) || batch.data.length !== itemSize(batch) * batch.shape[0]) {
    throw saliencyErrors.badBatch(method, batch.shape, model.info.inputShape);
  }
}

/** Resolves the target option to one class per image (the predicted class needs one forward pass). */
export async function resolveTargets(
  method: string,
  model: ExplainableModel,
  batch: Batch,
  target: SaliencyTarget,
  batchSize: number,
): Promise<Int32Array> {
  const n = batch.shape[0];
  const classes = model.info.numClasses;
  const check = (t: number): number => {
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw saliencyErrors.badTarget(method, `class ${t} is not in [0, ${classes})`, classes);
    return t;
  };
  if (target === 'predicted') {
    const out = new Int32Array(n);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const logits = await model.predict(rows(batch, start, end));
      out.set(argmaxRows(logits), start);
    }
    return out;
  }
  if (typeof target === 'number') return new Int32Array(n).fill(check(target));
  if (Array.isArray(target) || ArrayBuffer.isView(target)) {
    const list = target as readonly number[];
    if (list.length !== n) throw saliencyErrors.badTarget(method, `${list.length} targets for ${n} images`, classes);
    return Int32Array.from(list, check);
  }
  throw saliencyErrors.badTarget(method, JSON.stringify(target), classes);
}

/** Rows [start, end) of a batch as a view. */
export function rows(batch: Batch, start: number, end: number): Batch {
  const per = itemSize(batch);
  return { data: batch.data.subarray(start * per, end * per), shape: [end - start, batch.shape[1], batch.shape[2], batch.shape[3]] };
}

type GradientPass = 'inputGradients' | 'guidedGradients';

/** Runs an input-gradient pass (plain or guided) over a batch in chunks of `batchSize`. */
export async function gradientsInChunks(request: SaliencyAttributionRequest<object>, pass: GradientPass, method: string): Promise<Batch> {
  const { model, batch, batchSize } = request;
  const n = batch.shape[0];
  const out = new Float32Array(batch.data.length);
  const per = itemSize(batch);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const chunk = rows(batch, start, end);
    const result = await model[pass](chunk, passTargets(request, start, end));
    checkShape(method, 'gradients', result.gradients, chunk.shape);
    keepPredicted(request, method, result.targets, start, end);
    out.set(result.gradients.data, start * per);
    request.progress(end - start);
  }
  return makeBatch(out, batch.shape);
}

/** What a pass over rows [start, end) is asked to explain: the given classes, or 'predicted' to be filled in. */
export function passTargets(request: SaliencyAttributionRequest<object>, start: number, end: number): Int32Array | 'predicted' {
  return request.predictInPass ? 'predicted' : request.targets.subarray(start, end);
}

/** With `predictInPass`, records the classes a pass explained (the model must report them). */
export function keepPredicted(request: SaliencyAttributionRequest<object>, method: string, explained: Int32Array | undefined, start: number, end: number): void {
  if (!request.predictInPass) return;
  if (!explained || explained.length !== end - start) throw saliencyErrors.badModelOutput(method, 'predicted targets', [explained?.length ?? 0], [end - start]);
  request.targets.set(explained, start);
}

/** Throws a `ModelError` when a model output does not have the expected shape. */
export function checkShape(method: string, what: string, got: Batch, expected: readonly number[]): void {
  const same = got.shape.length === expected.length && got.shape.every((d, i) => d === expected[i]) && got.data.length === expected.reduce((a, b) => a * b, 1);
  if (!same) throw saliencyErrors.badModelOutput(method, what, got.shape, expected);
}

/** Per-image minimum and maximum over all channels and pixels. */
export function imageRange(batch: Batch, index: number): { min: number; max: number } {
  const per = itemSize(batch);
  let min = Infinity;
  let max = -Infinity;
  for (let k = index * per; k < (index + 1) * per; k++) {
    const v = batch.data[k]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

