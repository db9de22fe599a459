/**
 * A single-node finite-difference harness for gradient rules: it runs one rule's backward on one
 * forward node through a minimal GradContext (independent of the driver), executes forward + backward
 * on onnxruntime, and compares every requested gradient element with central differences of
 * f = sum_k <y_k, seed_k> (accumulated in float64 from float32 outputs).
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createRng } from '../../../../src/core/rng.js';
import { DataType, type Dim, type Model, type Node, type Tensor } from '../../../../src/graph/ir.js';
import { encodeModel } from '../../../../src/graph/onnx-io.js';
import type { GradContext, GradientRule } from '../../../../src/graph/autodiff/rule.js';
import { gradientRules } from '../../../../src/graph/autodiff/rules/index.js';

export interface Feed {
  data: Float32Array;
  dims: number[];
}

export interface RuleCase {
  /** The forward model; the node under test is the last node (earlier nodes may build constants). */
  model: Model;
  /** Graph inputs and values. */
  feeds: Record<string, Feed>;
  /** Tensors to check gradients of: graph inputs, or initializers (turned into inputs for the test). */
  wrt: string[];
  /** How ctx.shape answers: the builder's tracked shapes (default), or nothing (tests runtime fallbacks). */
  shapes?: 'tracked' | 'none';
  /** Output indices that receive no gradient (undefined in outputGrads). */
  zeroOutputs?: number[];
  /** Finite-difference step (default 1e-2) and tolerances (default rtol 1e-2, atol 2e-3). */
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
  /** Check at most this many elements per tensor (random subset; default all). */
  maxElements?: number;
  rule?: GradientRule;
}

const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };

/** Random float32 values in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** A feed of random values for the given dims. */
export function randomFeed(dims: number[], seed: number, lo = -1, hi = 1): Feed {
  return { data: uniform(dims.reduce((a, b) => a * b, 1), seed, lo, hi), dims };
}

/** Random values whose absolute value is at least `gap` (keeps kinks out of finite differences). */
export function awayFromZero(dims: number[], seed: number, gap = 0.1): Feed {
  const f = randomFeed(dims, seed);
  for (let i = 0; i < f.data.length; i++) {
    const v = f.data[i]!;
    f.data[i] = Math.sign(v || 1) * (gap + Math.abs(v));
  }
  return f;
}

function toOrt(f: Feed): ort.Tensor {
  return new ort.Tensor('float32', f.data, f.dims);
}

/** Runs `model` once on `feeds` and returns the fetched tensors. */
export async function run(model: Model, feeds: Record<string, Feed>, fetch: string[]): Promise<Record<string, Feed>> {
  const session = await ort.InferenceSession.create(encodeModel(model), sessionOptions);
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) input[name] = toOrt(feeds[name]!);
    const out = await session.run(input, fetch);
    const result: Record<string, Feed> = {};
    for (const name of fetch) result[name] = { data: out[name]!.data as Float32Array, dims: [...out[name]!.dims] };
    return result;
  } finally {
    await session.release();
  }
}

/** Moves the `wrt` initializers of a model to graph inputs (feeding their values) and returns the new model and feeds. */
function liftInitializers(model: Model, feeds: Record<string, Feed>, wrt: string[]): { model: Model; feeds: Record<string, Feed> } {
  const lifted = model.graph.initializers.filter((t) => wrt.includes(t.name));
  const newFeeds = { ...feeds };
  for (const t of lifted) newFeeds[t.name] = { data: Float32Array.from(t.data as Float32Array), dims: t.dims.slice() };
  return {
    model: {
      ...model,
      graph: {
        ...model.graph,
        initializers: model.graph.initializers.filter((t) => !wrt.includes(t.name)),
        inputs: [...model.graph.inputs, ...lifted.map((t) => ({ name: t.name, elemType: t.dataType, shape: t.dims.slice() as Dim[] }))],
      },
    },
    feeds: newFeeds,
  };
}

/** Builds forward + backward for the last node with `rule`; returns the model and gradient names per wrt tensor. */
export function backwardModel(forward: Model, wrt: string[], options: Pick<RuleCase, 'shapes' | 'zeroOutputs' | 'rule'> = {}): { model: Model; grads: Record<string, string>; seeds: string[] } {
  const graph = forward.graph;
  const node: Node = { ...graph.nodes[graph.nodes.length - 1]!, outputs: [...graph.nodes[graph.nodes.length - 1]!.outputs] };
  const rule = options.rule ?? gradientRules[node.opType];
  if (!rule) throw new Error(`no rule for ${node.opType}`);
  const shapes = new Map<string, Dim[]>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) if (v.shape) shapes.set(v.name, v.shape);
  for (const t of graph.initializers) shapes.set(t.name, t.dims.slice());
  const dtypes = new Map<string, number>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) if (v.elemType !== undefined) dtypes.set(v.name, v.elemType);
  for (const t of graph.initializers) dtypes.set(t.name, t.dataType);
  const constants = new Map<string, Tensor>(graph.initializers.filter((t) => !wrt.includes(t.name)).map((t) => [t.name, t]));
  const backward: Node[] = [];
  const extra: Tensor[] = [];
  let counter = 0;
  const seeds = node.outputs.map((o, i) => (options.zeroOutputs?.includes(i) ? '' : `seed_${i}_${o}`));
  const ctx: GradContext = {
    node,
    outputGrads: seeds.map((s) => s || undefined),
    needsGrad: node.inputs.map((i) => wrt.includes(i)),
    mode: { guided: false, training: false },
    opset: forward.opsetImports.find((o) => o.domain === '')?.version ?? 13,
    shape: (name) => (options.shapes === 'none' ? undefined : shapes.get(name)?.slice()),
    dtype: (name) => dtypes.get(name),
    constant: (name) => constants.get(name),
    emit(opType, inputs, attributes = {}, outputCount = 1) {
      const id = counter++;
      const outputs = Array.from({ length: outputCount }, (_, i) => `bw/${opType}_${id}_${i}`);
      backward.push({ name: `bw/${opType}_${id}`, opType, domain: '', inputs: [...inputs], outputs, attributes });
      return outputs;
    },
    addConstant(data, dims, dataType) {
      const name = `bw/const_${counter++}`;
      const type = dataType ?? (data instanceof BigInt64Array ? DataType.INT64 : data instanceof Float64Array ? DataType.DOUBLE : DataType.FLOAT);
      extra.push({ name, dataType: type, dims: [...dims], data });
      return name;
    },
    forwardOutput(index) {
      while (node.outputs.length <= index) node.outputs.push('');
      if (!node.outputs[index]) node.outputs[index] = `${node.outputs[0]}_out${index}`;
      return node.outputs[index]!;
    },
  };
  const inputGrads = rule.backward(ctx);
  const grads: Record<string, string | undefined> = {};
  node.inputs.forEach((name, i) => {
    if (wrt.includes(name)) grads[name] = inputGrads[i];
  });
  const gradOutputs = Object.entries(grads).map(([name, g]) => ({ name: g ?? '', of: name }));
  for (const g of gradOutputs) if (!g.name) throw new Error(`rule returned no gradient for ${g.of}`);
  // A gradient that is a forward tensor or seed itself is exposed through an Identity.
  const finalGrads: Record<string, string> = {};
  for (const { name, of } of gradOutputs) {
    if (name.startsWith('bw/')) finalGrads[of] = name;
    else {
      const out = `bw/identity_${counter++}`;
      backward.push({ name: out, opType: 'Identity', domain: '', inputs: [name], outputs: [out], attributes: {} });
      finalGrads[of] = out;
    }
  }
  const model: Model = {
    ...forward,
    graph: {
      ...graph,
      nodes: [...graph.nodes.slice(0, -1), node, ...backward],
      initializers: [...graph.initializers, ...extra],
      inputs: [...graph.inputs, ...seeds.filter((s) => s).map((s) => ({ name: s, elemType: DataType.FLOAT, shape: undefined }))],
      outputs: [...graph.outputs, ...Object.values(finalGrads).map((name) => ({ name, elemType: DataType.FLOAT, shape: undefined }))],
      valueInfo: graph.valueInfo,
    },
  };
  return { model, grads: finalGrads, seeds };
}

/** Runs the rule of the case's last node and checks its gradients against central finite differences. */
export async function checkRule(c: RuleCase): Promise<{ maxError: number; checked: number }> {
  const { model: forward, feeds } = liftInitializers(c.model, c.feeds, c.wrt);
  const node = forward.graph.nodes[forward.graph.nodes.length - 1]!;
  const outputs = node.outputs;
  const base = await run(forward, feeds, outputs);
  const seedValues = outputs.map((o, i) => randomFeed(base[o]!.dims, (c.seed ?? 1) * 1000 + i));
  const { model, grads, seeds } = backwardModel(forward, c.wrt, c);
  const allFeeds: Record<string, Feed> = { ...feeds };
  seeds.forEach((s, i) => {
    if (s) allFeeds[s] = seedValues[i]!;
  });
  const analytic = await run(model, allFeeds, Object.values(grads));
  const objective = (out: Record<string, Feed>) => {
    let f = 0;
    outputs.forEach((o, i) => {
      if (!seeds[i]) return;
      const y = out[o]!.data;
      const s = seedValues[i]!.data;
      for (let j = 0; j < y.length; j++) f += y[j]! * s[j]!;
    });
    return f;
  };
  const eps = c.eps ?? 1e-2;
  const session = await ort.InferenceSession.create(encodeModel(forward), sessionOptions);
  let maxError = 0;
  let checked = 0;
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) ortFeeds[name] = toOrt(feeds[name]!);
    for (const name of c.wrt) {
      const g = analytic[grads[name]!]!;
      const x = feeds[name]!;
      expect(g.dims, `gradient shape of ${name}`).toEqual(x.dims);
      const rng = createRng(c.seed ?? 7);
      let indices = Array.from({ length: x.data.length }, (_, i) => i);
      if (c.maxElements && indices.length > c.maxElements) indices = rng.shuffle(indices).slice(0, c.maxElements);
      const scale = Math.max(1e-3, ...Array.from(g.data, Math.abs));
      for (const i of indices) {
        const original = x.data[i]!;
        const evalAt = async (v: number) => {
          const data = Float32Array.from(x.data);
          data[i] = v;
          const out = await session.run({ ...ortFeeds, [name]: new ort.Tensor('float32', data, x.dims) }, outputs);
          return objective(Object.fromEntries(outputs.map((o) => [o, { data: out[o]!.data as Float32Array, dims: [...out[o]!.dims] }])));
        };
        const fd = ((await evalAt(original + eps)) - (await evalAt(original - eps))) / (2 * eps);
        const a = g.data[i]!;
        const err = Math.abs(a - fd);
        maxError = Math.max(maxError, err / scale);
        checked++;
        const tol = (c.atol ?? 2e-3) * scale + (c.rtol ?? 1e-2) * Math.abs(fd);
        if (err > tol) expect.fail(`d/d${name}[${i}]: analytic ${a}, finite difference ${fd} (scale ${scale})`);
      }
    }
  } finally {
    await session.release();
  }
  return { maxError, checked };
}
