/**
 * `TrainingRunner`: a built model's parameters held in memory, one onnxruntime session for the training
 * step (weight gradients + running-statistic updates from one run) and one for forward passes with the
 * current weights. The trainer drives it; tests use it to check gradients against PyTorch.
 */
import { nchwcBlockSize } from '../../engine/nchwc.js';
import { createGraphSession, type GraphSession, type TensorValue } from '../../engine/training-session.js';
import { elementCount, type Model, type Tensor } from '../../graph/ir.js';
import { blockConvs } from '../../graph/nchwc.js';
import type { BuiltModel } from '../architecture.js';
import type { LossFunction } from './losses.js';
import type { Optimizer } from './optimizers.js';
import { buildTrainingGraph, parametersAsInputs, type TrainingGraph } from './training-graph.js';
import { WasmArena } from './wasm-arena.js';
import { BlockedWeights } from './weight-layout.js';

/** What one training pass returns. */
export interface GradientPass {
  readonly loss: number;
  /** The raw output (loss input) of the batch. */
  readonly output: TensorValue;
  readonly gradients: Readonly<Record<string, Float32Array>>;
  /** Running statistics as updated by this batch (not yet applied). */
  readonly updates: Readonly<Record<string, Float32Array>>;
}

/** Options of `TrainingRunner.create`. */
export interface TrainingRunnerOptions {
  readonly threads?: number;
  /** Starting parameter values (a checkpoint); default: the built model's initializers. */
  readonly parameters?: ReadonlyMap<string, Float32Array>;
  /**
   * Run the step's convolutions on onnxruntime's NCHWc kernels with weights reordered before each step
   * (graph/nchwc.ts; default true where onnxruntime has them). False: the plain NCHW kernels.
   */
  readonly nchwc?: boolean;
}

/** The step's blocked convolutions: their refilled weights and the weight inputs the graph no longer has. */
interface Blocking {
  readonly weights: BlockedWeights;
  readonly unfed: ReadonlySet<string>;
  readonly convs: number;
  readonly block: number;
}

/** Parameters + training and forward sessions of one built model. */
export class TrainingRunner {
  private forward: Promise<GraphSession> | undefined;

  private constructor(
    readonly built: BuiltModel,
    readonly loss: LossFunction,
    readonly graph: TrainingGraph,
    private readonly session: GraphSession,
    /** Current values of every parameter (weights and statistics), updated in place (views into the step's WebAssembly arena where there is one). */
    readonly parameters: Map<string, Float32Array>,
    private readonly threads: number | undefined,
    private readonly blocking: Blocking | undefined,
  ) {}

  /** Generates the training graph of `built` for `loss` and builds its session. */
  static async create(built: BuiltModel, loss: LossFunction, options: TrainingRunnerOptions = {}): Promise<TrainingRunner> {
    const graph = buildTrainingGraph(built.model, built.trainOutput, built.parameters, loss);
    const block = options.nchwc === false ? 0 : await nchwcBlockSize();
    const blocked = block ? blockConvs(graph.model, { block, weights: graph.weights }) : undefined;
    const byName = new Map(built.model.graph.initializers.map((t) => [t.name, t]));
    const lengths = built.parameters.map((p) => elementCount(p.dims));
    const trained = new Set(graph.weights);
    const weightLengths = built.parameters.filter((p) => trained.has(p.name)).map((p) => elementCount(p.dims));
    // One WebAssembly memory for the parameters, room for Adam's moments and a gradient staging view
    // (untouched, hence free, under SGD) and the blocked weights: the kernels work on the parameters in place.
    const arena = WasmArena.create(
      WasmArena.floatsFor(lengths) + 2 * WasmArena.floatsFor(weightLengths) + WasmArena.floatsFor([Math.max(0, ...weightLengths)]) + (blocked?.convs ? BlockedWeights.floats(blocked.weights) : 0),
    );
    const blocking: Blocking | undefined = blocked && blocked.convs > 0
      ? { weights: BlockedWeights.create(blocked.weights, block, arena ? { arena } : {}), unfed: new Set(blocked.droppedInputs), convs: blocked.convs, block }
      : undefined;
    // blockConvs returns the model itself when no Conv qualifies.
    // The step runs every batch: its working memory is kept and reused (`cpuArena`); the forward session,
    // run for validation now and then, gives its memory back after each run.
    const session = await createGraphSession(blocked?.model ?? graph.model, { name: `${built.architecture} training step`, cpuArena: true, ...(options.threads ? { threads: options.threads } : {}) });
    const parameters = new Map<string, Float32Array>();
    built.parameters.forEach((p, i) => {
      const start = options.parameters?.get(p.name) ?? (byName.get(p.name)!.data as Float32Array);
      const values = arena?.alloc(lengths[i]!) ?? new Float32Array(lengths[i]!);
      values.set(start.subarray(0, lengths[i]!));
      parameters.set(p.name, values);
    });
    return new TrainingRunner(built, loss, graph, session, parameters, options.threads, blocking);
  }

  /** Loss, output, weight gradients and running-statistic updates of one batch (nothing is changed). */
  async pass(input: TensorValue, targets: readonly Float32Array[]): Promise<GradientPass> {
    const g = this.graph;
    const feeds: Record<string, TensorValue> = { [this.built.inputName]: input };
    for (const name of [...g.weights, ...g.statistics]) {
      if (this.blocking?.unfed.has(name)) continue;
      const data = this.parameters.get(name)!;
      feeds[name] = { data, dims: this.dims(name) };
    }
    if (this.blocking) Object.assign(feeds, this.blocking.weights.fill(this.parameters));
    const outputDims = [input.dims[0]!, ...this.outputDims().slice(1)];
    const targetDims = this.loss.targetDims(outputDims);
    targets.forEach((t, i) => {
      feeds[g.targets[i]!] = { data: t, dims: targetDims[i]!.map((d) => (typeof d === 'number' ? d : input.dims[0]!)) };
    });
    const fetch = [g.output, ...g.weights.map((w) => g.gradients[w]!), ...Object.values(g.updates)];
    const out = await this.session.run(feeds, fetch);
    const output = out[g.output]!;
    const gradients: Record<string, Float32Array> = {};
    for (const w of g.weights) gradients[w] = out[g.gradients[w]!]!.data;
    const updates: Record<string, Float32Array> = {};
    for (const [stat, name] of Object.entries(g.updates)) updates[stat] = out[name]!.data;
    return { loss: this.loss.value(output, targets), output, gradients, updates };
  }

  /** One optimisation step: pass, optimiser update, running statistics replaced. Returns the loss and output. */
  async step(input: TensorValue, targets: readonly Float32Array[], optimizer: Optimizer, learningRate?: number): Promise<{ loss: number; output: TensorValue }> {
    const result = await this.pass(input, targets);
    optimizer.update(this.parameters, result.gradients, learningRate);
    for (const [name, value] of Object.entries(result.updates)) this.parameters.get(name)!.set(value);
    return { loss: result.loss, output: result.output };
  }

  /** Forward pass with the current weights (BatchNorm in inference mode): the graph output and the raw output. */
  async predict(input: TensorValue): Promise<{ output: TensorValue; raw: TensorValue }> {
    const session = await (this.forward ??= createGraphSession(
      parametersAsInputs(this.built.model, [...this.parameters.keys()], this.built.trainOutput === this.built.outputName ? [] : [this.built.trainOutput]),
      { name: `${this.built.architecture} forward`, ...(this.threads ? { threads: this.threads } : {}) },
    ));
    const feeds: Record<string, TensorValue> = { [this.built.inputName]: input };
    for (const [name, data] of this.parameters) feeds[name] = { data, dims: this.dims(name) };
    const fetch = [...new Set([this.built.outputName, this.built.trainOutput])];
    const out = await session.run(feeds, fetch);
    return { output: out[this.built.outputName]!, raw: out[this.built.trainOutput]! };
  }

  /** Convolutions of the step on onnxruntime's NCHWc kernels and their channel block (0 and 0: none). */
  get nchwc(): { convs: number; block: number } {
    return { convs: this.blocking?.convs ?? 0, block: this.blocking?.block ?? 0 };
  }

  /** The model with the current parameter values as its initializers. */
  toModel(): Model {
    return withParameters(this.built.model, this.parameters);
  }

  /** A copy of the current parameter values. */
  snapshot(): Map<string, Float32Array> {
    return new Map([...this.parameters].map(([k, v]) => [k, Float32Array.from(v)]));
  }

  /** Replaces the current parameter values (e.g. with the best checkpoint). */
  restore(values: ReadonlyMap<string, Float32Array>): void {
    for (const [k, v] of values) this.parameters.get(k)?.set(v);
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
    if (this.forward) await (await this.forward).dispose();
  }

  private dims(name: string): readonly number[] {
    return this.built.parameters.find((p) => p.name === name)?.dims ?? [];
  }

  private outputDims(): (number | string | null)[] {
    return this.graph.model.graph.outputs.find((o) => o.name === this.graph.output)?.shape ?? [];
  }
}

/** `model` with initializers replaced by `values` where given (others kept). */
export function withParameters(model: Model, values: ReadonlyMap<string, Float32Array>): Model {
  const initializers: Tensor[] = model.graph.initializers.map((t) => {
    const v = values.get(t.name);
    return v ? { ...t, data: Float32Array.from(v) } : t;
  });
  return { ...model, graph: { ...model.graph, initializers } };
}
