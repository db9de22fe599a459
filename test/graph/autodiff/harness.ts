/**
 * Finite-difference harness for the autodiff DRIVER (whole graphs through `differentiate`).
 *
 * API (for anyone writing gradient tests):
 *   const spec: GraphSpec = {
 *     opset: 13,                                   // default 13
 *     inputs: { x: [2, 3, 5, 5] },                 // float32 graph inputs; dim 0 is declared symbolic 'N'
 *     params: { w: param([4, 3, 3, 3], 1) },       // initializers (param(dims, seed, scale?) = random)
 *     nodes: [node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] }), node('Relu', ['y'], ['z'])],
 *     output: 'z',                                 // tensor differentiated: f = sum(output * seed)
 *   };
 *   await checkGradients(spec, { inputs: ['x'], tensors: ['y'], weights: ['w'], mode: { guided: false } });
 * `checkGradients` builds the model, runs `differentiate`, executes forward + backward on onnxruntime,
 * and compares each requested gradient (a random subset of `maxElements` entries per tensor) with
 * central finite differences of f computed in float64 from float32 outputs of the SAME combined graph
 * (so training-mode rewrites are included; named tensors are cut and fed as inputs). Elements at a kink
 * (one-sided differences disagree) are skipped and counted. It throws (vitest expect) on mismatch and
 * returns per-tensor statistics. `runModel(model, feeds)` runs any IR model; `node()`/`param()` build IR.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { differentiate, type DifferentiateOptions, type DifferentiateResult, type ShapeTable } from '../../../src/graph/autodiff/differentiate.js';
import { DataType, type Attribute, type Model, type Node, type Tensor } from '../../../src/graph/ir.js';
import { encodeModel } from '../../../src/graph/onnx-io.js';

/** A named float32 array with dims. */
export interface Feed {
  data: Float32Array;
  dims: number[];
}

/** A small graph described in a few lines. */
export interface GraphSpec {
  opset?: number;
  /** Float32 graph inputs and their dims for the test run (dim 0 is declared symbolic 'N'). */
  inputs: Record<string, number[]>;
  params?: Record<string, Feed>;
  nodes: Node[];
  output: string;
  /** Extra graph outputs (default: just `output`). */
  outputs?: string[];
}

export interface CheckOptions {
  inputs?: string[];
  tensors?: string[];
  weights?: string[] | boolean;
  mode?: DifferentiateOptions['mode'];
  shapes?: ShapeTable;
  /** Values for inputs (default: uniform in [-1, 1) from `seed`). */
  feeds?: Record<string, Feed>;
  seed?: number;
  /** Finite-difference step (default 1e-2), tolerances: |g - fd| <= atol * max|g| + rtol * |fd| (defaults 2e-3, 1e-2). */
  step?: number;
  atol?: number;
  rtol?: number;
  /** Entries checked per tensor (default 40). */
  maxElements?: number;
  /** Fraction of checked entries allowed to be skipped as kinks (default 0.25). */
  maxSkipped?: number;
}

export interface CheckReport {
  result: DifferentiateResult;
  stats: Record<string, { checked: number; skipped: number; maxError: number; scale: number }>;
  outputs: Record<string, ort.Tensor>;
  /** The values fed to the combined run (inputs, weights, seed). */
  feeds: Record<string, Feed>;
}

/** An IR node with attributes given as plain numbers, arrays, strings or tensors. */
export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number | number[] | string | Tensor | { float: number }> = {}, name?: string): Node {
  const attributes: Record<string, Attribute> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'number') attributes[k] = Number.isInteger(v) && !FLOAT_ATTRS.has(k) ? { type: 'int', value: v } : { type: 'float', value: v };
    else if (typeof v === 'string') attributes[k] = { type: 'string', value: v };
    else if (Array.isArray(v)) attributes[k] = { type: 'ints', value: v };
    else if ('float' in v) attributes[k] = { type: 'float', value: v.float };
    else attributes[k] = { type: 'tensor', value: v };
  }
  return { name: name ?? `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum', 'ratio', 'min', 'max', 'gamma']);

/** Random parameter values, uniform in [-scale, scale). */
export function param(dims: number[], seed: number, scale = 1, offset = 0): Feed {
  const rng = createRng(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = offset + scale * (rng.uniform() * 2 - 1);
  return { data, dims };
}

/** Builds the IR model of a spec (dim 0 of every input symbolic). */
export function makeModel(spec: GraphSpec): Model {
  const initializers: Tensor[] = Object.entries(spec.params ?? {}).map(([name, f]) => ({ name, dataType: DataType.FLOAT, dims: f.dims, data: f.data }));
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: spec.opset ?? 13 }],
    producerName: 'heatcheck-test',
    producerVersion: '0',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: [],
    graph: {
      name: 'test',
      nodes: spec.nodes,
      initializers,
      inputs: Object.entries(spec.inputs).map(([name, dims]) => ({ name, elemType: DataType.FLOAT, shape: dims.map((d, i) => (i === 0 ? 'N' : d)) })),
      outputs: (spec.outputs ?? [spec.output]).map((name) => ({ name, elemType: DataType.FLOAT, shape: undefined })),
      valueInfo: [],
    },
  };
}

const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/** Runs an IR model on float32 feeds and returns all its outputs. */
export async function runModel(model: Model, feeds: Record<string, Feed>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(encodeModel(model), sessionOptions);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', f.data, f.dims);
    return await session.run(ortFeeds);
  } finally {
    await session.release();
  }
}

/** The model with tensor `name` cut from its producer and fed as a graph input instead. */
function cutAt(model: Model, name: string, dims: number[]): Model {
  const nodes = model.graph.nodes.map((n) => (n.outputs.includes(name) ? { ...n, outputs: n.outputs.map((o) => (o === name ? `${o}__cut` : o)) } : n));
  return { ...model, graph: { ...model.graph, nodes, inputs: [...model.graph.inputs, { name, elemType: DataType.FLOAT, shape: dims }] } };
}

/** Differentiates a spec and checks every requested gradient against central finite differences. */
export async function checkGradients(spec: GraphSpec, options: CheckOptions): Promise<CheckReport> {
  const seed = options.seed ?? 7;
  const model = makeModel(spec);
  const result = differentiate(model, {
    output: spec.output,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.tensors ? { tensors: options.tensors } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.shapes ? { shapes: options.shapes } : {}),
  });
  const feeds: Record<string, Feed> = {};
  let k = 0;
  for (const [name, dims] of Object.entries(spec.inputs)) feeds[name] = options.feeds?.[name] ?? param(dims, seed * 1000 + k++);
  for (const w of result.weightInputs) feeds[w] = spec.params![w]!;

  // One run to learn the output shape, then the real run with a random seed.
  const probe = await runModel(model, Object.fromEntries(Object.entries(feeds).filter(([n]) => n in spec.inputs)));
  const outDims = [...probe[spec.output]!.dims];
  const gradSeed = param(outDims, seed + 99);
  feeds[result.seedInput] = gradSeed;
  const outputs = await runModel(result.model, feeds);

  const stats: CheckReport['stats'] = {};
  const step = options.step ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 1e-2;
  const rng = createRng(seed + 5);
  const maxElements = options.maxElements ?? 40;
  for (const [name, gradName] of Object.entries(result.gradients)) {
    const grad = outputs[gradName]!.data as Float32Array;
    let base: Feed;
    let fdModel = result.model;
    const fdFeeds = { ...feeds };
    if (feeds[name]) base = feeds[name]!;
    else {
      const act = outputs[result.activations[name]!]!;
      base = { data: act.data as Float32Array, dims: [...act.dims] };
      fdModel = cutAt(result.model, name, base.dims);
    }
    expect(grad.length, `gradient of ${name} has the size of ${name}`).toBe(base.data.length);
    const session = await ort.InferenceSession.create(encodeModel({ ...fdModel, graph: { ...fdModel.graph, outputs: fdModel.graph.outputs.filter((o) => o.name === spec.output) } }), sessionOptions);
    const f = async (data: Float32Array): Promise<number> => {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [key, feed] of Object.entries({ ...fdFeeds, [name]: { data, dims: base.dims } })) ortFeeds[key] = new ort.Tensor('float32', feed.data, feed.dims);
      const y = (await session.run(ortFeeds))[spec.output]!.data as Float32Array;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i]! * gradSeed.data[i]!;
      return s;
    };
    const indices = base.data.length <= maxElements ? Array.from({ length: base.data.length }, (_, i) => i) : Array.from({ length: maxElements }, () => rng.int(base.data.length));
    let scale = 0;
    for (const v of grad) scale = Math.max(scale, Math.abs(v));
    const f0 = await f(base.data);
    let skipped = 0;
    let maxError = 0;
    for (const i of indices) {
      const data = Float32Array.from(base.data);
      const x = data[i]!;
      data[i] = x + step;
      const hPlus = data[i]! - x;
      const fp = await f(data);
      data[i] = x - step;
      const hMinus = x - data[i]!;
      const fm = await f(data);
      const forwardSlope = (fp - f0) / hPlus;
      const backwardSlope = (f0 - fm) / hMinus;
      const fd = (fp - fm) / (hPlus + hMinus);
      if (Math.abs(forwardSlope - backwardSlope) > atol * Math.max(scale, 1e-3) + rtol * Math.abs(fd) + 1e-5) {
        skipped++;
        continue;
      }
      const err = Math.abs(grad[i]! - fd);
      maxError = Math.max(maxError, err);
      expect(err, `d/d${name}[${i}]: generated ${grad[i]} vs finite difference ${fd}`).toBeLessThanOrEqual(atol * Math.max(scale, 1e-3) + rtol * Math.abs(fd) + 1e-5);
    }
    await session.release();
    expect(skipped, `too many kinks skipped for ${name}`).toBeLessThanOrEqual(Math.ceil((options.maxSkipped ?? 0.25) * indices.length));
    stats[name] = { checked: indices.length - skipped, skipped, maxError, scale };
  }
  return { result, stats, outputs, feeds };
}
