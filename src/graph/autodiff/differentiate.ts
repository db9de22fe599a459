/**
 * Reverse-mode autodiff as a graph transform. `differentiate` takes a forward ONNX graph and returns one
 * graph holding the forward pass plus the backward nodes that compute d(sum(output * seed))/d(x) for
 * requested inputs, intermediate tensors (Grad-CAM) and weights (training). Backward nodes come from the
 * gradient rules in rules/ (one per op family); the driver walks the forward graph in reverse
 * topological order, sums gradients of tensors with several consumers, refuses ops without a rule
 * (listing all of them), and prunes backward nodes nothing requested depends on.
 */
import { ModelError } from '../../core/errors.js';
import { DataType, type Attribute, type DataTypeCode, type Graph, type Model, type Node, type Tensor, type TensorData, type ValueInfo } from '../ir.js';
import { inferShapes, type ShapeEntry, type ShapeTable } from '../shapes.js';
import { constantNodeValue } from './constant.js';
import { gradientOpset, withDefaultOpset } from './opset.js';
import { swapReluMaxPool } from './relu-pool-swap.js';
import { isFloatType } from './helpers.js';
import type { ForwardContext, GradContext, GradMode, GradientRule } from './rule.js';
import { gradientRules } from './rules/index.js';

export type { ShapeEntry, ShapeTable } from '../shapes.js';

/** What to differentiate and which gradients to expose. */
export interface DifferentiateOptions {
  /** Forward tensor to differentiate (e.g. the logits), shape [N, K]. */
  output: string;
  /** Name of the new graph input holding dL/d(output), same shape as output; default 'heatcheck_grad_seed'. */
  seedInput?: string;
  /** Graph inputs to get gradients for (e.g. ['input']). */
  inputs?: readonly string[];
  /** Intermediate forward tensors to expose: both the activation and its gradient (Grad-CAM). */
  tensors?: readonly string[];
  /** Weight gradients: initializers turned into graph inputs (training); `true` = every trainable float initializer. */
  weights?: boolean | readonly string[];
  /** Guided (guided-ReLU rule), training (BatchNorm batch statistics). */
  mode?: Partial<GradMode>;
  /** Static shapes of forward tensors (batch dim may be symbolic); if absent, static inference is used. */
  shapes?: ShapeTable;
}

/** The combined forward + backward graph and where to find each requested value. */
export interface DifferentiateResult {
  /** Forward + backward in one graph. */
  model: Model;
  seedInput: string;
  /** Forward tensor/input/weight name -> output name of its gradient. */
  gradients: Readonly<Record<string, string>>;
  /** For `tensors`: forward tensor name -> output name exposing it. */
  activations: Readonly<Record<string, string>>;
  /** Initializers that became graph inputs (training). */
  weightInputs: readonly string[];
  /** Training mode: initializer name (BatchNorm running statistic) -> output holding its updated value. */
  updates: Readonly<Record<string, string>>;
}

/** Ops whose outputs never carry gradient: shape arithmetic, comparisons, index computations. */
const NON_DIFFERENTIABLE_OPS = new Set([
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'EyeLike', 'ArgMax', 'ArgMin', 'NonZero',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf',
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli',
  'TopK_indices_only', 'OneHot',
]);

/** Input positions that hold settings or statistics, never trainable weights (for `weights: true`). */
const NON_TRAINABLE_INPUTS: Record<string, readonly number[]> = {
  BatchNormalization: [3, 4],
  Resize: [1, 2, 3],
  Upsample: [1],
  Clip: [1, 2],
  Pad: [1, 2, 3],
  Slice: [1, 2, 3, 4],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Split: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  ReduceMax: [1],
  Gather: [1],
  Dropout: [1, 2],
  ConstantOfShape: [0],
};

/** Builds forward + backward graph for the requested gradients. Throws `ModelError` for unsupported ops. */
export function differentiate(model: Model, options: DifferentiateOptions): DifferentiateResult {
  return new Differentiator(model, options).run();
}

const DEFAULT_SEED = 'heatcheck_grad_seed';

class Differentiator {
  private readonly mode: GradMode;
  private readonly opset: number;
  private readonly src: Graph;
  private readonly shapes: Map<string, ShapeEntry>;
  private readonly used = new Set<string>();
  private counter = 0;
  private forward: Node[] = [];
  private readonly backward: Node[] = [];
  private readonly constants: Tensor[] = [];
  private readonly constantCache = new Map<string, string>();
  private readonly initializers: Map<string, Tensor>;
  private readonly constantNodes = new Map<string, Tensor>();
  private readonly extraDtypes = new Map<string, DataTypeCode>();
  private readonly stopGradient = new Set<string>();
  private readonly updates: Record<string, string> = {};
  /** Forward nodes computed by other forward tensors (ForwardContext.lowerTo), by node. */
  private readonly lowered = new Map<Node, string[]>();
  private weightNames = new Set<string>();

  constructor(
    private readonly model: Model,
    private readonly options: DifferentiateOptions,
  ) {
    this.mode = { guided: options.mode?.guided ?? false, training: options.mode?.training ?? false };
    this.opset = gradientOpset(model);
    this.src = model.graph;
    this.shapes = new Map(options.shapes ?? inferShapes(model));
    this.initializers = new Map(this.src.initializers.map((t) => [t.name, t]));
    for (const v of [...this.src.inputs, ...this.src.outputs, ...this.src.valueInfo]) this.used.add(v.name);
    for (const t of this.src.initializers) this.used.add(t.name);
    for (const n of this.src.nodes) {
      this.used.add(n.name);
      for (const o of n.outputs) this.used.add(o);
      for (const i of n.inputs) this.used.add(i);
      const value = n.opType === 'Constant' ? constantNodeValue(n) : undefined;
      if (value) this.constantNodes.set(n.outputs[0]!, value);
    }
  }

  run(): DifferentiateResult {
    const { options } = this;
    const seedInput = options.seedInput ?? DEFAULT_SEED;
    if (this.used.has(seedInput)) throw new ModelError('autodiff-seed-name', `seed input name "${seedInput}" is already used in the graph`);
    this.used.add(seedInput);
    const producers = new Map<string, Node>();
    for (const n of this.src.nodes) for (const o of n.outputs) if (o) producers.set(o, n);
    const graphInputs = new Set(this.src.inputs.map((v) => v.name));
    if (!producers.has(options.output) && !graphInputs.has(options.output)) {
      throw new ModelError('autodiff-unknown-tensor', `output "${options.output}" is not a tensor of the graph`);
    }
    for (const name of options.inputs ?? []) {
      if (!graphInputs.has(name) || this.initializers.has(name)) {
        throw new ModelError('autodiff-unknown-input', `"${name}" is not a graph input; inputs are ${[...graphInputs].join(', ')}`);
      }
    }
    for (const name of options.tensors ?? []) {
      if (!producers.has(name) && !graphInputs.has(name)) throw new ModelError('autodiff-unknown-tensor', `"${name}" is not a tensor of the graph`);
    }

    this.forward = topoSort(this.src.nodes.map(cloneNode), this.src);
    this.rewriteForward();
    if (!this.mode.guided) {
      const keep = new Set([options.output, ...(options.tensors ?? []), ...this.src.outputs.map((o) => o.name)]);
      swapReluMaxPool(this.forward, keep, this.shapes, (base) => this.fresh(base));
    }
    this.selectWeights();

    const sources = new Set<string>([...(options.inputs ?? []), ...(options.tensors ?? []), ...this.weightNames]);
    const needs = this.analyse(sources);
    for (const name of sources) {
      if (!needs.has(name)) {
        if (this.weightNames.has(name) && options.weights === true) continue;
        throw new ModelError('autodiff-no-path', `"${name}" does not influence "${options.output}" through differentiable ops, so it has no gradient`, {}, {
          hint: 'request gradients only for tensors upstream of the output',
        });
      }
    }
    this.checkSupported(needs);
    const gradOf = this.backwardPass(needs, seedInput);
    return this.assemble(sources, gradOf, seedInput);
  }

  // --- forward rewrites (training-mode BatchNorm) -------------------------------------------------

  private rewriteForward(): void {
    const out: Node[] = [];
    for (const node of this.forward) {
      const rule = isDefaultDomain(node) ? gradientRules[node.opType] : undefined;
      if (!rule?.forward) {
        out.push(node);
        continue;
      }
      const ctx: ForwardContext = {
        node,
        mode: this.mode,
        opset: this.opset,
        shape: (name) => this.shapes.get(name)?.dims.slice(),
        dtype: (name) => this.dtypeOf(name),
        constant: (name) => this.constantOf(name),
        emit: (opType, inputs, attributes, outputCount) => {
          const created = this.makeNode(opType, inputs, attributes, outputCount);
          for (const o of created.outputs) this.stopGradient.add(o);
          out.push(created);
          return created.outputs;
        },
        addConstant: (data, dims, dataType) => this.addConstant(data, dims, dataType),
        setInput: (index, name) => {
          while (node.inputs.length <= index) node.inputs.push('');
          node.inputs[index] = name;
        },
        exposeUpdate: (initializer, tensor) => {
          this.updates[initializer] = tensor;
        },
        lowerTo: (outputs) => {
          this.lowered.set(node, [...outputs]);
        },
      };
      rule.forward(ctx);
      out.push(node);
    }
    this.forward = out;
  }

  /** A forward node as emitted: itself, or Identity nodes from the tensors a forward rewrite lowered it to. */
  private emitted(node: Node): Node[] {
    const lowered = this.lowered.get(node);
    if (!lowered) return [node];
    return node.outputs.flatMap((o, i) => (o && lowered[i] ? [{ name: `${node.name || o}/lowered`, opType: 'Identity', domain: '', inputs: [lowered[i]!], outputs: [o], attributes: {} }] : []));
  }

  // --- which initializers are weights ---------------------------------------------------------------

  private selectWeights(): void {
    const { weights } = this.options;
    if (!weights) return;
    if (weights !== true) {
      for (const name of weights) {
        if (!this.initializers.has(name)) throw new ModelError('autodiff-unknown-weight', `"${name}" is not an initializer of the graph`);
        this.weightNames.add(name);
      }
      return;
    }
    const trainable = new Set<string>();
    for (const node of this.forward) {
      const skip = NON_TRAINABLE_INPUTS[node.opType] ?? [];
      node.inputs.forEach((name, i) => {
        const t = this.initializers.get(name);
        if (t && isFloatType(t.dataType) && !skip.includes(i) && !NON_DIFFERENTIABLE_OPS.has(node.opType)) trainable.add(name);
      });
    }
    this.weightNames = trainable;
  }

  // --- path analysis --------------------------------------------------------------------------------

  /** Tensors that both depend differentiably on a source and influence the output. */
  private analyse(sources: Set<string>): Set<string> {
    const differentiable = new Set<string>();
    for (const s of sources) if (isFloatType(this.dtypeOf(s))) differentiable.add(s);
    for (const node of this.forward) {
      if (NON_DIFFERENTIABLE_OPS.has(node.opType)) continue;
      if (!node.inputs.some((i) => i && differentiable.has(i))) continue;
      for (const o of node.outputs) {
        if (o && !this.stopGradient.has(o) && isFloatType(this.dtypeOf(o))) differentiable.add(o);
      }
    }
    const influences = new Set<string>([this.options.output]);
    for (let k = this.forward.length - 1; k >= 0; k--) {
      const node = this.forward[k]!;
      if (node.outputs.some((o) => influences.has(o))) for (const i of node.inputs) if (i) influences.add(i);
    }
    const needs = new Set<string>();
    for (const t of differentiable) if (influences.has(t)) needs.add(t);
    return needs;
  }

  private checkSupported(needs: Set<string>): void {
    const missing = this.forward.filter((n) => n.outputs.some((o) => needs.has(o)) && !(isDefaultDomain(n) && gradientRules[n.opType]));
    if (missing.length === 0) return;
    const list = missing.map((n) => `${n.name || '(unnamed)'} (${n.domain ? `${n.domain}.` : ''}${n.opType})`).join(', ');
    const supported = Object.keys(gradientRules).sort().join(', ');
    throw new ModelError(
      'autodiff-unsupported-op',
      `no gradient rule for ${missing.length} node(s) on the gradient path: ${list}; supported ops: ${supported}`,
      { node: missing[0]!.name, op: missing[0]!.opType },
      { hint: 'export the model with supported ops, or ask for a gradient rule for these ops' },
    );
  }

  // --- the backward pass ----------------------------------------------------------------------------

  private backwardPass(needs: Set<string>, seedInput: string): Map<string, string | undefined> {
    const pending = new Map<string, string[]>([[this.options.output, [seedInput]]]);
    const gradOf = new Map<string, string | undefined>();
    const collect = (name: string): string | undefined => {
      if (gradOf.has(name)) return gradOf.get(name);
      const parts = pending.get(name);
      let result: string | undefined;
      if (parts && parts.length === 1) result = parts[0];
      else if (parts && parts.length > 1) result = this.emitBackward('Sum', parts)[0];
      gradOf.set(name, result);
      return result;
    };
    for (let k = this.forward.length - 1; k >= 0; k--) {
      const node = this.forward[k]!;
      if (!node.outputs.some((o) => needs.has(o))) continue;
      const outputGrads = node.outputs.map((o) => (o && needs.has(o) ? collect(o) : undefined));
      if (outputGrads.every((g) => g === undefined)) continue;
      const rule: GradientRule = gradientRules[node.opType]!;
      const needsGrad = node.inputs.map((i) => i !== '' && needs.has(i) && !this.stopGradient.has(i));
      const ctx = this.gradContext(node, outputGrads, needsGrad);
      const inputGrads = rule.backward(ctx);
      node.inputs.forEach((input, i) => {
        const g = inputGrads[i];
        if (!needsGrad[i] || g === undefined) return;
        const list = pending.get(input);
        if (list) list.push(g);
        else pending.set(input, [g]);
      });
    }
    const all = new Map<string, string | undefined>();
    for (const name of needs) all.set(name, collect(name));
    return all;
  }

  private gradContext(node: Node, outputGrads: (string | undefined)[], needsGrad: boolean[]): GradContext {
    return {
      node,
      outputGrads,
      needsGrad,
      mode: this.mode,
      opset: this.opset,
      shape: (name) => this.shapes.get(name)?.dims.slice(),
      dtype: (name) => this.dtypeOf(name),
      constant: (name) => this.constantOf(name),
      emit: (opType, inputs, attributes, outputCount) => this.emitBackward(opType, inputs, attributes, outputCount),
      addConstant: (data, dims, dataType) => this.addConstant(data, dims, dataType),
      forwardOutput: (index) => {
        while (node.outputs.length <= index) node.outputs.push('');
        if (!node.outputs[index]) node.outputs[index] = this.fresh(`${node.outputs[0] || node.opType}_out${index}`);
        return node.outputs[index]!;
      },
    };
  }

  // --- assembling the result ------------------------------------------------------------------------

  private assemble(sources: Set<string>, gradOf: Map<string, string | undefined>, seedInput: string): DifferentiateResult {
    const { options } = this;
    const gradients: Record<string, string> = {};
    const activations: Record<string, string> = {};
    const newOutputs: ValueInfo[] = [];
    const outputNames = new Set(this.src.outputs.map((o) => o.name));
    const renamed = new Map<string, string>();
    const backwardProduced = new Set(this.backward.flatMap((n) => n.outputs));
    const weightInputs: string[] = [];

    for (const name of sources) {
      const g = gradOf.get(name);
      const isWeight = this.weightNames.has(name) && !(options.inputs ?? []).includes(name) && !(options.tensors ?? []).includes(name);
      if (g === undefined) {
        if (isWeight && options.weights === true) continue;
        throw new ModelError('autodiff-zero-gradient', `no gradient reaches "${name}" from "${options.output}" (every path passes through inputs the rules treat as constant)`);
      }
      if (isWeight) weightInputs.push(name);
      const outName = this.fresh(`${name}_grad`);
      if (backwardProduced.has(g) && !renamed.has(g)) renamed.set(g, outName);
      else this.backward.push(this.makeNode('Identity', [g], undefined, 1, [outName]));
      gradients[name] = outName;
      newOutputs.push(this.valueInfo(outName, name));
    }
    for (const name of options.tensors ?? []) {
      if (this.src.inputs.some((v) => v.name === name)) {
        const outName = this.fresh(`${name}_activation`);
        this.backward.push(this.makeNode('Identity', [name], undefined, 1, [outName]));
        activations[name] = outName;
        newOutputs.push(this.valueInfo(outName, name));
      } else {
        activations[name] = name;
        if (!outputNames.has(name)) {
          outputNames.add(name);
          newOutputs.push(this.valueInfo(name, name));
        }
      }
    }
    const updateOutputs: Record<string, string> = {};
    if (this.mode.training) {
      for (const [initializer, tensor] of Object.entries(this.updates)) {
        const outName = this.fresh(`${initializer}_updated`);
        this.backward.push(this.makeNode('Identity', [tensor], undefined, 1, [outName]));
        updateOutputs[initializer] = outName;
        newOutputs.push(this.valueInfo(outName, initializer));
      }
    }
    // Rename gradient tensors in place so that the requested outputs need no extra copy.
    for (const node of this.backward) {
      node.inputs = node.inputs.map((i) => renamed.get(i) ?? i);
      node.outputs = node.outputs.map((o) => renamed.get(o) ?? o);
    }

    const keepOutputs = [...this.src.outputs.map((o) => o.name), ...newOutputs.map((o) => o.name)];
    const backward = prune(this.backward, keepOutputs);
    const usedNames = new Set<string>();
    for (const n of [...this.forward, ...backward]) for (const i of n.inputs) usedNames.add(i);
    const weightSet = new Set(weightInputs);
    const seedEntry = this.shapes.get(options.output);
    const graph: Graph = {
      ...this.src,
      nodes: [...this.forward.flatMap((n) => this.emitted(n)), ...backward],
      initializers: [...this.src.initializers.filter((t) => !weightSet.has(t.name)), ...this.constants.filter((t) => usedNames.has(t.name))],
      inputs: [
        ...this.src.inputs,
        { name: seedInput, elemType: this.dtypeOf(options.output) ?? DataType.FLOAT, shape: seedEntry ? seedEntry.dims.slice() : undefined },
        ...weightInputs.map((name) => {
          const t = this.initializers.get(name)!;
          return { name, elemType: t.dataType, shape: t.dims.slice() } satisfies ValueInfo;
        }),
      ],
      outputs: [...this.src.outputs, ...newOutputs],
      valueInfo: [...this.src.valueInfo],
    };
    return {
      model: { ...withDefaultOpset(this.model, this.opset), graph },
      seedInput,
      gradients,
      activations,
      weightInputs,
      updates: updateOutputs,
    };
  }

  private valueInfo(outName: string, of: string): ValueInfo {
    const entry = this.shapes.get(of);
    const init = this.initializers.get(of);
    return {
      name: outName,
      elemType: this.dtypeOf(of) ?? DataType.FLOAT,
      shape: init ? init.dims.slice() : entry ? entry.dims.slice() : undefined,
    };
  }

  // --- small utilities ------------------------------------------------------------------------------

  private dtypeOf(name: string): DataTypeCode | undefined {
    const entry = this.shapes.get(name);
    if (entry) return entry.dtype;
    const init = this.initializers.get(name);
    if (init) return init.dataType;
    const v = this.src.inputs.find((i) => i.name === name) ?? this.src.valueInfo.find((i) => i.name === name);
    return v?.elemType ?? this.extraDtypes.get(name);
  }

  private constantOf(name: string): Tensor | undefined {
    if (this.weightNames.has(name)) return undefined;
    if (this.src.inputs.some((v) => v.name === name)) return undefined; // an initializer with an input of the same name can be overridden
    return this.initializers.get(name) ?? this.constantNodes.get(name);
  }

  private fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  private makeNode(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputCount = 1, outputs?: string[]): Node {
    const id = ++this.counter;
    const names = outputs ?? Array.from({ length: outputCount }, (_, i) => this.fresh(`hc_grad/${opType}_${id}${outputCount > 1 ? `_${i}` : ''}`));
    for (const n of names) this.used.add(n);
    return { name: this.fresh(`hc_grad/${opType}_${id}`), opType, domain: '', inputs: [...inputs], outputs: names, attributes: { ...attributes } };
  }

  private emitBackward(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputCount?: number): string[] {
    const node = this.makeNode(opType, inputs, attributes, outputCount);
    this.backward.push(node);
    return node.outputs;
  }

  private addConstant(data: TensorData, dims: readonly number[], dataType?: DataTypeCode): string {
    const type = dataType ?? inferType(data);
    const small = data.length <= 64;
    const key = small ? `${type}|${dims.join(',')}|${Array.from(data as ArrayLike<unknown>, String).join(',')}` : undefined;
    if (key && this.constantCache.has(key)) return this.constantCache.get(key)!;
    const name = this.fresh(`hc_grad/const_${++this.counter}`);
    this.constants.push({ name, dataType: type, dims: [...dims], data });
    this.extraDtypes.set(name, type);
    if (key) this.constantCache.set(key, name);
    return name;
  }
}

function inferType(data: TensorData): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Float64Array) return DataType.DOUBLE;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Uint8Array) return DataType.UINT8;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Uint16Array) return DataType.FLOAT16;
  if (data instanceof Int16Array) return DataType.INT16;
  if (data instanceof Uint32Array) return DataType.UINT32;
  if (data instanceof BigUint64Array) return DataType.UINT64;
  return DataType.STRING;
}

function isDefaultDomain(node: Node): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

function cloneNode(n: Node): Node {
  return { ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } };
}

/** Orders nodes so that every tensor is produced before it is consumed (stable for sorted graphs). */
function topoSort(nodes: Node[], graph: Graph): Node[] {
  const available = new Set<string>(['', ...graph.inputs.map((v) => v.name), ...graph.initializers.map((t) => t.name)]);
  const producedBy = new Set(nodes.flatMap((n) => n.outputs));
  const ready = (n: Node) => n.inputs.every((i) => available.has(i) || !producedBy.has(i));
  const out: Node[] = [];
  let remaining = nodes;
  while (remaining.length > 0) {
    const next: Node[] = [];
    let progressed = false;
    for (const n of remaining) {
      if (ready(n)) {
        out.push(n);
        for (const o of n.outputs) available.add(o);
        progressed = true;
      } else next.push(n);
    }
    if (!progressed) throw new ModelError('autodiff-cycle', `the graph has a cycle through ${next.map((n) => n.name).join(', ')}`);
    remaining = next;
  }
  return out;
}

/** Keeps the backward nodes that some kept output depends on. */
function prune(nodes: Node[], outputs: readonly string[]): Node[] {
  const wanted = new Set(outputs);
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (!node.outputs.some((o) => wanted.has(o))) continue;
    keep[k] = true;
    for (const i of node.inputs) if (i) wanted.add(i);
  }
  return nodes.filter((_, k) => keep[k]);
}
