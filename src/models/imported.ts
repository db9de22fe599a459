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
