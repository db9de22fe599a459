/**
 * `loadOnnxModel`: an ONNX image classifier as an `ExplainableModel` on onnxruntime. Forward and
 * backward graphs are generated lazily per (variant, image size), built into sessions once, and run in
 * sub-batches that fit the memory budget.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { argmaxRows, type Batch, type Logits, type TargetRequest, type Targets } from '../core/batch.js';
import { ModelError } from '../core/errors.js';
import type { ExplainableModel, GradientResult, LayerGradientOptions, LayerGradientResult, LayerInfo, ModelInfo } from '../core/types.js';
import { probeShapes } from './shape-probe.js';
import { inferShapes, type ShapeTable } from '../graph/shapes.js';
import { DataType, type Model } from '../graph/ir.js';
import { decodeModel } from '../graph/onnx-io.js';
import {
  acceptsSize,
  findImageInput,
  findLogitsOutput,
  type ImageInput,
  inspectLayout,
  type Layout,
  resolveImageSize,
  resolveLayer,
  type TensorShapes,
} from './inspect.js';
import { bytesPerImage, laneRanges, type PassKind, splitRows, subBatchSize } from './memory.js';
import { eachOnRunners } from './runners.js';
import { engineErrors } from './messages.js';
import { type EngineOptions, type ResolvedEngineOptions, resolveEngineOptions } from './options.js';
import { type EngineStats, type Placement, SessionCache, type SessionLease } from './sessions.js';
import type { TensorValue } from './training-session.js';
import { supportsPredictedTarget } from './predicted-target.js';
import { oneHot, validateTargets } from './targets.js';
import { type GeneratedVariant, generateVariant, type Variant, type VariantSpec, variantId, withImageSize } from './variants.js';

/** Weight gradients of one batch: d(sum of target logits)/d(weight) per weight initializer. */
export interface WeightGradientResult {
  readonly logits: Logits;
  readonly gradients: Readonly<Record<string, { readonly data: Float32Array; readonly dims: readonly number[] }>>;
}

/** An ONNX classifier on onnxruntime: the `ExplainableModel` plus inspection, stats and weight gradients. */
export interface OnnxModel extends ExplainableModel {
  /** Why `info.defaultCamLayer` was chosen, in one sentence. */
  readonly camLayerReason: string;
  /** Name of the graph's image input and logits output. */
  readonly inputName: string;
  readonly outputName: string;
  /** Candidate layers and the default Grad-CAM layer at another image size (dynamic-size models). */
  layersAt(size: readonly [number, number]): Promise<Pick<ModelInfo, 'layers' | 'defaultCamLayer'>>;
  /** Resolves a layer name (tensor, node or block name such as "mixed1") to the tensor it means. */
  resolveLayer(name: string): string;
  /**
   * Gradients of sum(logits * onehot(targets)) with respect to every float weight, the whole batch in one
   * call (no sub-batching, since training-mode BatchNormalization couples the rows). `training` (default
   * true) uses batch statistics in BatchNormalization.
   */
  weightGradients(batch: Batch, targets: Targets, options?: { training?: boolean }): Promise<WeightGradientResult>;
  /** Sessions built (with their cost), runs and sub-batch sizes so far. */
  stats(): EngineStats;
}

/** Per image size: the probed shapes and what inspection made of them. */
interface SizeState {
  readonly size: readonly [number, number];
  readonly shapes: ShapeTable | undefined;
  readonly layout: Layout;
}

/**
 * Loads an ONNX image classifier (a path or the file's bytes) for heatcheck. Throws `ModelError` for an
 * unreadable file, a non-image input (not 4-D float NCHW), a dynamic spatial size without
 * `options.inputSize`, and (unless `checkGradients: false`) ops without gradient rules, all listed at once.
 */
export async function loadOnnxModel(source: string | Uint8Array, options: EngineOptions = {}): Promise<OnnxModel> {
  let bytes: Uint8Array;
  let fallbackName = 'model';
  if (typeof source === 'string') {
    fallbackName = basename(source);
    try {
      bytes = await readFile(source);
    } catch (cause) {
      throw engineErrors.unreadableFile(source, cause);
    }
  } else {
    bytes = source;
  }
  const resolved = resolveEngineOptions(options, fallbackName);
  const model = decodeModel(bytes, resolved.name);
  const input = findImageInput(model, resolved.name);
  const size = resolveImageSize(input, resolved.name, resolved.inputSize);
  const output = findLogitsOutput(model, resolved.name, resolved.output);
  const engine = new OnnxEngineModel(model, input, output, resolved);
  await engine.init(size);
  return engine;
}

class OnnxEngineModel implements OnnxModel {
  private readonly sessions: SessionCache;
  private readonly sizes = new Map<string, Promise<SizeState>>();
  private readonly variants = new Map<string, Variant>();
  /** Generated graphs not yet built into sessions (dropped once built: the session holds what it needs). */
  private readonly pending = new Map<string, GeneratedVariant>();
  private defaultState: SizeState | undefined;
  private infoValue: ModelInfo | undefined;
  private disposed = false;

  constructor(
    private readonly model: Model,
    private readonly input: ImageInput,
    readonly outputName: string,
    private readonly options: ResolvedEngineOptions,
  ) {
    this.sessions = new SessionCache(options);
  }

  get inputName(): string {
    return this.input.name;
  }

  get info(): ModelInfo {
    return this.infoValue!;
  }

  get camLayerReason(): string {
    return this.defaultState!.layout.camLayerReason;
  }

  /** Probes the default size and, when asked, generates the input-gradient graph to surface unsupported ops now. */
  async init(size: readonly [number, number]): Promise<void> {
    const state = await this.state(size);
    this.defaultState = state;
    this.infoValue = {
      name: this.options.name,
      inputShape: [this.input.channels, size[0], size[1]],
      numClasses: state.layout.numClasses,
      layers: state.layout.layers,
      defaultCamLayer: state.layout.defaultCamLayer,
    };
    // Generated only to surface unsupported ops now; the graph is dropped (it holds transformed weight
    // copies) and regenerated on first use, keeping memory bounded for predict-only callers.
    if (this.options.checkGradients) this.generate(state, { kind: 'input-gradient', guided: false });
  }

  private state(size: readonly [number, number]): Promise<SizeState> {
    const key = `${size[0]}x${size[1]}`;
    let entry = this.sizes.get(key);
    if (!entry) {
      entry = this.probe(size);
      this.sizes.set(key, entry);
      entry.catch(() => this.sizes.delete(key));
    }
    return entry;
  }

  /**
   * Shapes at one image size: static inference when it knows every tensor (no memory, no run), else one
   * forward run with every tensor as an output (exact for any op, but it materialises all activations).
   */
  private async probe(size: readonly [number, number]): Promise<SizeState> {
    const sized = withImageSize(this.model, this.input, size);
    const batch = this.input.batch ?? 1;
    let table: ShapeTable = inferShapes(sized);
    if (!complete(sized, table)) {
      try {
        table = await probeShapes(sized, [batch, this.input.channels, size[0], size[1]], { threads: this.options.threads });
      } catch (cause) {
        if (cause instanceof ModelError) throw cause;
        throw engineErrors.shapeProbeFailed(this.options.name, size, cause);
      }
    }
    const layout = inspectLayout(sized, this.input, this.outputName, toTensorShapes(table, batch));
    return { size, shapes: table, layout };
  }

  private variant(state: SizeState, spec: VariantSpec): Variant {
    const key = `${variantId(spec)}@${state.size[0]}x${state.size[1]}`;
    let v = this.variants.get(key);
    if (!v) {
      const generated = this.generate(state, spec);
      v = generated.variant;
      this.variants.set(key, v);
      this.pending.set(key, generated);
    }
    return v;
  }

  private generate(state: SizeState, spec: VariantSpec): GeneratedVariant {
    return generateVariant(withImageSize(this.model, this.input, state.size), this.input, this.outputName, state.layout.numClasses, spec, state.shapes);
  }

  /** Lends the session of a variant, built from its pending graph (or a regenerated one) when not cached. */
  private session(state: SizeState, spec: VariantSpec, variant: Variant, placement: Placement = 'main'): Promise<SessionLease> {
    const key = `${variant.id}@${state.size[0]}x${state.size[1]}`;
    return this.sessions.acquire(
      variant.id,
      state.size,
      () => {
        const generated = this.pending.get(key) ?? this.generate(state, spec);
        this.pending.delete(key);
        return generated;
      },
      placement,
    );
  }

  layersAt(size: readonly [number, number]): Promise<Pick<ModelInfo, 'layers' | 'defaultCamLayer'>> {
    this.checkOpen();
    return this.state(size).then((s) => ({ layers: s.layout.layers, defaultCamLayer: s.layout.defaultCamLayer }));
  }

  resolveLayer(name: string): string {
    return resolveLayer(this.model, this.defaultState!.layout.layers, name);
  }

  stats(): EngineStats {
    return this.sessions.stats();
  }

  async predict(batch: Batch): Promise<Logits> {
    const state = await this.prepare(batch);
    const spec: VariantSpec = { kind: 'forward' };
    const variant = this.variant(state, spec);
    const out = await this.run(state, spec, variant, 'forward', batch, undefined, [variant.logits]);
    return asLogits(out[variant.logits]!);
  }

  async inputGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult> {
    return this.inputGradientPass(batch, targets, false);
  }

  async guidedGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult> {
    return this.inputGradientPass(batch, targets, true);
  }

  /**
   * Class indices to feed, or undefined when the graph predicts them itself ('predicted' on a graph of
   * opset 9 or later); older graphs take the prediction from a forward pass first.
   */
  private async targetRows(state: SizeState, batch: Batch, targets: TargetRequest): Promise<Int32Array | undefined> {
    if (targets !== 'predicted') return validateTargets(targets, batch.shape[0], state.layout.numClasses);
    if (supportsPredictedTarget(this.model)) return undefined;
    return argmaxRows(await this.predict(batch));
  }

  private async inputGradientPass(batch: Batch, targets: TargetRequest, guided: boolean): Promise<GradientResult> {
    const state = await this.prepare(batch);
    const rows = await this.targetRows(state, batch, targets);
    const spec: VariantSpec = { kind: 'input-gradient', guided, ...(rows ? {} : { predicted: true }) };
    const variant = this.variant(state, spec);
    const gradient = variant.inputGradient!;
    const fetch = [variant.logits, gradient, ...(variant.predictedTarget ? [variant.predictedTarget] : [])];
    const out = await this.run(state, spec, variant, 'backward', batch, rows, fetch);
    const explained = rows ?? predictedRows(out[variant.predictedTarget!]!);
    return { logits: asLogits(out[variant.logits]!), gradients: asBatch(out[gradient]!), ...(targets === 'predicted' ? { targets: explained } : {}) };
  }

  async layerGradients(batch: Batch, targets: TargetRequest, layers: readonly string[], options: LayerGradientOptions = {}): Promise<LayerGradientResult> {
    if (layers.length === 0) throw engineErrors.noLayers();
    const state = await this.prepare(batch);
    const tensors = layers.map((name) => resolveLayer(this.model, state.layout.layers, name));
    const rows = await this.targetRows(state, batch, targets);
    const withInput = options.inputGradient === true;
    const spec: VariantSpec = { kind: 'layers', layers: tensors, ...(withInput ? { inputGradient: true } : {}), ...(rows ? {} : { predicted: true }) };
    const variant = this.variant(state, spec);
    const fetch = [variant.logits];
    for (const t of new Set(tensors)) fetch.push(variant.activations[t]!, variant.gradients[t]!);
    if (withInput) fetch.push(variant.inputGradient!);
    if (variant.predictedTarget) fetch.push(variant.predictedTarget);
    const out = await this.run(state, spec, variant, 'backward', batch, rows, fetch);
    const predicted = targets === 'predicted' ? { targets: rows ?? predictedRows(out[variant.predictedTarget!]!) } : {};
    const activations: Record<string, Batch> = {};
    const gradients: Record<string, Batch> = {};
    layers.forEach((name, i) => {
      activations[name] = asBatch(out[variant.activations[tensors[i]!]!]!);
      gradients[name] = asBatch(out[variant.gradients[tensors[i]!]!]!);
    });
    const logits = asLogits(out[variant.logits]!);
    return withInput
      ? { logits, activations, gradients, inputGradients: asBatch(out[variant.inputGradient!]!), ...predicted }
      : { logits, activations, gradients, ...predicted };
  }

  async weightGradients(batch: Batch, targets: Targets, options: { training?: boolean } = {}): Promise<WeightGradientResult> {
    const state = await this.prepare(batch);
    const rows = validateTargets(targets, batch.shape[0], state.layout.numClasses);
    const spec: VariantSpec = { kind: 'weights', training: options.training ?? true };
    const variant = this.variant(state, spec);
    if (variant.weightInputs.length === 0) throw engineErrors.noWeights(this.options.name);
    const n = batch.shape[0];
    const k = state.layout.numClasses;
    const feeds: Record<string, TensorValue> = {
      [this.input.name]: { data: batch.data, dims: batch.shape },
      [variant.seedInput!]: { data: oneHot(rows, 0, n, n, k), dims: [n, k] },
    };
    // The weights are constants of the variant's graph (variants.ts), so only the batch and seed are fed.
    const fetch = [variant.logits, ...variant.weightInputs.map((w) => variant.gradients[w]!)];
    const lease = await this.session(state, spec, variant);
    const t0 = performance.now();
    let result: Record<string, TensorValue>;
    try {
      result = await lease.run(feeds, fetch, 0);
    } catch (cause) {
      throw engineErrors.runFailed(this.options.name, variant.id, cause);
    } finally {
      lease.done();
    }
    this.sessions.recordRun(variant.id, n, performance.now() - t0);
    const gradients: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const name of variant.weightInputs) {
      const t = result[variant.gradients[name]!]!;
      gradients[name] = { data: t.data, dims: [...t.dims] };
    }
    const logits = result[variant.logits]!;
    return { logits: { data: logits.data, shape: [logits.dims[0]!, logits.dims[1]!] }, gradients };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.variants.clear();
    this.pending.clear();
    await this.sessions.dispose();
  }

  private checkOpen(): void {
    if (this.disposed) throw engineErrors.disposed(this.options.name);
  }

  /** Validates a batch against the model and returns the state for its image size. */
  private async prepare(batch: Batch): Promise<SizeState> {
    this.checkOpen();
    const [n, c, h, w] = batch.shape;
    if (batch.shape.length !== 4 || batch.data.length !== n * c * h * w) throw engineErrors.batchShape(batch.shape, batch.data.length);
    if (c !== this.input.channels) throw engineErrors.batchChannels(this.input.channels, c);
    const own = this.info.inputShape;
    if (!acceptsSize(this.input, h, w)) throw engineErrors.batchSize([own[1], own[2]], [h, w]);
    return h === own[1] && w === own[2] ? this.defaultState! : this.state([h, w]);
  }

  /**
   * Runs a variant over the batch in sub-batches and gathers the fetched outputs along N. Models with
   * a fixed batch dimension run in chunks of exactly that size, the last one zero-padded.
   */
  private async run(
    state: SizeState,
    spec: VariantSpec,
    variant: Variant,
    kind: PassKind,
    batch: Batch,
    targets: Int32Array | undefined,
    fetch: readonly string[],
  ): Promise<Record<string, Gathered>> {
    const n = batch.shape[0];
    const per = batch.shape[1] * batch.shape[2] * batch.shape[3];
    const k = state.layout.numClasses;
    const perImage = bytesPerImage(state.layout.sizes, kind, per);
    const fixed = this.input.batch;
    // Calls of two or more rows (or chunks) run on the lanes, each lane's sub-batch within its share of the budget.
    const lanes = this.options.lanes;
    const laned = lanes > 1 && (fixed ? n > fixed : n > 1);
    const fit = subBatchSize(perImage, this.options.memoryBudgetMiB / (laned ? lanes : 1), this.options.maxBatch);
    const ranges = fixed ? fixedRanges(n, fixed) : laned ? laneRanges(n, fit, lanes) : splitRows(n, fit);
    const chunk = fixed ?? (ranges[0] ? ranges[0][1] - ranges[0][0] : fit);
    if (ranges.length === 0) return this.emptyOutputs(state, variant, fetch, batch);
    this.sessions.recordBatching(`${variant.id}@${state.size[0]}x${state.size[1]}`, chunk, perImage);
    const lease = await this.session(state, spec, variant, laned ? 'lanes' : 'main');
    const gathered: Record<string, Gathered> = {};
    const runRange = async ([start, end]: [number, number], runner: number): Promise<void> => {
      const rows = fixed ?? end - start;
      let data = batch.data.subarray(start * per, end * per);
      if (rows > end - start) {
        const padded = new Float32Array(rows * per);
        padded.set(data);
        data = padded;
      }
      const feeds: Record<string, TensorValue> = { [this.input.name]: { data, dims: [rows, batch.shape[1], batch.shape[2], batch.shape[3]] } };
      if (variant.seedInput) {
        if (!targets) throw new ModelError('engine-targets-missing', `variant ${variant.id} needs target classes`);
        feeds[variant.seedInput] = { data: oneHot(targets, start, end, rows, k), dims: [rows, k] };
      }
      const t0 = performance.now();
      let result: Record<string, TensorValue>;
      try {
        result = await lease.run(feeds, fetch, runner);
      } catch (cause) {
        throw engineErrors.runFailed(this.options.name, variant.id, cause);
      }
      this.sessions.recordRun(variant.id, end - start, performance.now() - t0);
      for (const name of fetch) {
        const t = result[name]!;
        const g = (gathered[name] ??= allocate(t.dims, n));
        g.data.set(t.data.subarray(0, (end - start) * g.perItem), start * g.perItem);
      }
    };
    try {
      await eachOnRunners(ranges, lease.width, runRange);
    } finally {
      lease.done();
    }
    return gathered;
  }

  /** Zero-row outputs with the right per-item shapes, without running anything. */
  private emptyOutputs(state: SizeState, variant: Variant, fetch: readonly string[], batch: Batch): Record<string, Gathered> {
    const out: Record<string, Gathered> = {};
    const layerShape = new Map<string, readonly number[]>();
    for (const l of state.layout.layers) {
      const shape = [0, ...l.shape];
      if (variant.activations[l.name]) layerShape.set(variant.activations[l.name]!, shape);
      if (variant.gradients[l.name]) layerShape.set(variant.gradients[l.name]!, shape);
    }
    for (const name of fetch) {
      const dims =
        name === variant.logits ? [0, state.layout.numClasses] : (layerShape.get(name) ?? [0, batch.shape[1], batch.shape[2], batch.shape[3]]);
      out[name] = { data: new Float32Array(0), dims, perItem: 0 };
    }
    return out;
  }
}

/** One fetched output gathered over sub-batches. */
interface Gathered {
  readonly data: Float32Array;
  readonly dims: readonly number[];
  readonly perItem: number;
}

function allocate(dims: readonly number[], n: number): Gathered {
  const perItem = dims.slice(1).reduce((a, b) => a * b, 1);
  return { data: new Float32Array(n * perItem), dims: [n, ...dims.slice(1)], perItem };
}

function fixedRanges(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += size) out.push([start, Math.min(n, start + size)]);
  return out;
}

/** The float class indices of a predicted-target output as integers. */
function predictedRows(g: Gathered): Int32Array {
  return Int32Array.from(g.data);
}

function asLogits(g: Gathered): Logits {
  return { data: g.data, shape: [g.dims[0]!, g.dims[1] ?? 1] };
}

function asBatch(g: Gathered): Batch {
  return { data: g.data, shape: [g.dims[0]!, g.dims[1]!, g.dims[2] ?? 1, g.dims[3] ?? 1] };
}

/** Whether every node output has a known dtype and dims known up to a symbolic batch. */
function complete(model: Model, table: ShapeTable): boolean {
  for (const node of model.graph.nodes) {
    for (const name of node.outputs) {
      if (!name) continue;
      const entry = table.get(name);
      if (!entry || entry.dims.some((d, i) => typeof d !== 'number' && i !== 0)) return false;
    }
  }
  return true;
}

/** The float tensors of a probed shape table with fully known dims (what inspection looks at). */
function toTensorShapes(table: ShapeTable, batch: number): TensorShapes {
  const out = new Map<string, readonly number[]>();
  for (const [name, entry] of table) {
    if (entry.dtype !== undefined && entry.dtype !== DataType.FLOAT) continue;
    const dims = entry.dims.map((d, i) => (typeof d === 'number' ? d : i === 0 ? batch : undefined));
    if (dims.every((d): d is number => d !== undefined)) out.set(name, dims);
  }
  return out;
}

export type { LayerInfo };
