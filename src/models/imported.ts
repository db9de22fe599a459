/**
 * Imported ONNX models: which initializers are parameters (and in what role), read from the ops that
 * consume them, so that models built elsewhere can be counted, re-initialised by block and fine-tuned.
 */
import type { ParameterRole } from '../graph/builder.js';
import type { Model, Node, Tensor } from '../graph/ir.js';
import type { BuiltModel, Preprocessing, RandomizationBlock } from './architecture.js';
import { modelErrors } from './messages.js';
import type { ParameterRecord } from './net-builder.js';

const FLOAT = 1;

/** Role of input `index` of `node`, when that input slot holds a parameter. */
function roleOf(node: Node, index: number): ParameterRole | undefined {
  switch (node.opType) {
    case 'Conv':
    case 'ConvTranspose':
    case 'Gemm':
    case 'MatMul':
      return index === 1 ? 'weight' : index === 2 && node.opType !== 'MatMul' ? 'bias' : undefined;
    case 'BatchNormalization':
      return (['scale', 'shift', 'mean', 'variance'] as const)[index - 1];
    default:
      return undefined;
  }
}

/** Fans of a weight tensor as Keras computes them (receptive field x channels; Gemm honours transB). */
function fans(node: Node, dims: readonly number[]): [number, number] {
  if (node.opType === 'Gemm' || node.opType === 'MatMul') {
    if (dims.length !== 2) return [dims[0] ?? 1, dims[0] ?? 1];
    const transB = node.attributes.transB?.type === 'int' && node.attributes.transB.value === 1;
    return node.opType === 'Gemm' && transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
  }
  const area = dims.slice(2).reduce((a, b) => a * b, 1);
  const groupAttr = node.attributes.group;
  const group = groupAttr?.type === 'int' ? groupAttr.value : 1;
  // Conv weights are [out, in/group, k...]; ConvTranspose weights are [in, out/group, k...].
  return node.opType === 'ConvTranspose' ? [(dims[0]! / group) * area, dims[1]! * area] : [dims[1]! * area, (dims[0]! / group) * area];
}

/** Parameter records of any ONNX model, all in block `block` (default `unassigned`), in first-use order. */
export function parameterRecordsOf(model: Model, block = 'unassigned'): ParameterRecord[] {
  const initializers = new Map<string, Tensor>(model.graph.initializers.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const out: ParameterRecord[] = [];
  for (const node of model.graph.nodes) {
    node.inputs.forEach((name, index) => {
      const t = initializers.get(name);
      const role = roleOf(node, index);
      if (!t || !role || seen.has(name) || t.dataType !== FLOAT) return;
      seen.add(name);
      const [fanIn, fanOut] = role === 'weight' ? fans(node, t.dims) : [t.dims[0] ?? 1, t.dims[0] ?? 1];
      out.push({ name, role, dims: [...t.dims], fanIn, fanOut, block });
    });
  }
  return out;
}

/**
 * Identity nodes that only rename an initializer, replaced by a copy of it under the Identity's output name.
 * torch.onnx merges bit-identical tensors into one initializer and hands it to each user through an
 * Identity (fresh BatchNorm folds into identical zero biases), which hides those parameters from
 * `parameterRecordsOf` and ties them across blocks.
 */
function materializeIdentityParameters(model: Model): Model {
  const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const graphOutputs = new Set(model.graph.outputs.map((o) => o.name));
  const added: Tensor[] = [];
  const renamed = new Set<string>();
  const nodes = model.graph.nodes.filter((n) => {
    const source = n.opType === 'Identity' && n.inputs.length === 1 ? byName.get(n.inputs[0]!) : undefined;
    const out = n.outputs[0];
    if (!source || source.dataType !== FLOAT || !out || graphOutputs.has(out) || byName.has(out)) return true;
    added.push({ ...source, name: out, data: source.data.slice() as typeof source.data });
    renamed.add(source.name);
    return false;
  });
  if (added.length === 0) return model;
  // An initializer now read only through its copies is dropped.
  const used = new Set([...nodes.flatMap((n) => n.inputs), ...model.graph.outputs.map((o) => o.name)]);
  const kept = model.graph.initializers.filter((t) => !renamed.has(t.name) || used.has(t.name));
  return { ...model, graph: { ...model.graph, nodes, initializers: [...kept, ...added] } };
}

/**
 * The model with each parameter owned by one node: Identity-renamed initializers materialized, and every
 * parameter used by more than one node given a copy per extra user (`<name>/hc_tied<k>`). Exporters
 * share bit-identical tensors, so one initializer can serve two randomization blocks, and re-initialising
 * one block would change the other. Values are unchanged, so the outputs are identical.
 */
export function untieSharedParameters(model: Model): Model {
  const source = materializeIdentityParameters(model);
  const params = new Set(parameterRecordsOf(source).map((p) => p.name));
  const byName = new Map(source.graph.initializers.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  const added: Tensor[] = [];
  const taken = new Set([...byName.keys(), ...source.graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const nodes = source.graph.nodes.map((node) => {
    let inputs = node.inputs;
    node.inputs.forEach((name, i) => {
      if (!params.has(name) || roleOf(node, i) === undefined) return;
      const k = uses.get(name) ?? 0;
      uses.set(name, k + 1);
      if (k === 0) return;
      let copy = `${name}/hc_tied${k}`;
      while (taken.has(copy)) copy += '_';
      taken.add(copy);
      const t = byName.get(name)!;
      added.push({ ...t, name: copy, data: t.data.slice() as typeof t.data });
      if (inputs === node.inputs) inputs = [...node.inputs];
      inputs[i] = copy;
    });
    return inputs === node.inputs ? node : { ...node, inputs };
  });
  if (added.length === 0) return source;
  return { ...source, graph: { ...source.graph, nodes, initializers: [...source.graph.initializers, ...added] } };
}

/** Options of `importModel`. */
export interface ImportOptions {
  /** Output holding the logits (default: the first graph output). */
  readonly output?: string;
  /** Input size when the model's is dynamic. */
  readonly inputSize?: readonly [number, number];
  /** Randomization blocks, when known (see `detectBlocks`). */
  readonly blocks?: readonly RandomizationBlock[];
  readonly camLayer?: string;
  readonly preprocessing?: Preprocessing;
}

/** Wraps an imported ONNX classifier as a `BuiltModel` (parameters read from the graph), for training, counting and randomization. */
export function importModel(model: Model, options: ImportOptions = {}): BuiltModel {
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  const input = model.graph.inputs.find((v) => !initializerNames.has(v.name));
  if (!input) throw modelErrors.badCard('the model has no graph input');
  const output = options.output ?? model.graph.outputs[0]?.name;
  if (!output) throw modelErrors.badCard('the model has no graph output');
  const owner = new Map<string, string>();
  for (const b of options.blocks ?? []) for (const name of b.initializers) owner.set(name, b.name);
  const parameters = parameterRecordsOf(model).map((p) => ({ ...p, block: owner.get(p.name) ?? 'unassigned' }));
  const dims = input.shape ?? [];
  const h = typeof dims[2] === 'number' ? dims[2] : options.inputSize?.[0];
  const w = typeof dims[3] === 'number' ? dims[3] : options.inputSize?.[1];
  if (h === undefined || w === undefined) throw modelErrors.badOption('inputSize', options.inputSize, '[height, width] for a model with a dynamic image size');
  const channels = typeof dims[1] === 'number' ? dims[1] : 3;
  return {
    architecture: 'imported',
    task: 'classification',
    model,
    inputName: input.name,
    outputName: output,
    trainOutput: output,
    inputSize: [h, w],
    preprocessing: options.preprocessing ?? { channels, normalization: 'minus-one-one' },
    parameters,
    blocks: options.blocks ?? [],
    camLayer: options.camLayer,
    initializer: 'keras',
    seed: 0,
    settings: {},
  };
}
