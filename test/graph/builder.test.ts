import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { GraphBuilder, type InitializerFn } from '../../src/graph/builder.js';
import type { Model } from '../../src/graph/ir.js';
import { decodeModel, encodeModel } from '../../src/graph/onnx-io.js';

async function run(model: Model, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1 });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) input[k] = new ort.Tensor('float32', f.data, f.dims);
    return await session.run(input);
  } finally {
    await session.release();
  }
}

const weightsOf = (model: Model, name: string) => {
  const t = model.graph.initializers.find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return t.data as Float32Array;
};

describe('GraphBuilder', () => {
  it('conv 3x3 same + BN + relu gives the hand-computed result', async () => {
    const init: InitializerFn = ({ role, dims }) => {
      const n = dims.reduce((a, b) => a * b, 1);
      const value = { weight: 1, bias: 0, scale: 2, shift: -30, mean: 0, variance: 1 }[role];
      return new Float32Array(n).fill(value);
    };
    const b = new GraphBuilder({ initializer: init });
    const x = b.imageInput('image', 1, 3, 3);
    b.output(b.conv(x, { filters: 1, kernel: 3, padding: 'same', batchNorm: { epsilon: 0 }, activation: 'relu', name: 'stem' }), 'out');
    const model = b.build();
    expect(model.graph.initializers.map((t) => t.name)).toEqual(['stem/weight', 'stem/bn/scale', 'stem/bn/shift', 'stem/bn/mean', 'stem/bn/variance']);
    const out = await run(model, { image: { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), dims: [1, 1, 3, 3] } });
    const sums = [12, 21, 16, 27, 45, 33, 24, 39, 28];
    expect(Array.from(out.out!.data as Float32Array)).toEqual(sums.map((s) => Math.max(0, 2 * s - 30)));
    expect(out.out!.dims).toEqual([1, 1, 3, 3]);
  });

  it('a small CNN (conv, pool, global pool, dense, softmax) matches a hand-written reference', async () => {
    const b = new GraphBuilder({ seed: 42 });
    const x = b.imageInput('input', 1, 4, 4);
    const c = b.conv(x, { filters: 2, kernel: 3, padding: 1, activation: 'relu', name: 'conv1' });
    const p = b.maxPool(c, { kernel: 2 });
    const g = b.globalAveragePool(p, { flatten: true });
    const logits = b.dense(g, 3, { name: 'fc' });
    b.output(logits, 'logits');
    b.output(b.softmax(logits), 'probs');
    const model = b.build();
    const input = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.3));
    const out = await run(model, { input: { data: input, dims: [2, 1, 4, 4] } });

    const w = weightsOf(model, 'conv1/weight');
    const bias = weightsOf(model, 'conv1/bias');
    const fw = weightsOf(model, 'fc/weight');
    const fb = weightsOf(model, 'fc/bias');
    for (let n = 0; n < 2; n++) {
      const feats: number[] = [];
      for (let m = 0; m < 2; m++) {
        const act = (i: number, j: number) => {
          let s = bias[m]!;
          for (let u = 0; u < 3; u++) {
            for (let v = 0; v < 3; v++) {
              const ii = i + u - 1;
              const jj = j + v - 1;
              if (ii >= 0 && ii < 4 && jj >= 0 && jj < 4) s += w[m * 9 + u * 3 + v]! * input[n * 16 + ii * 4 + jj]!;
            }
          }
          return Math.max(0, s);
        };
        let mean = 0;
        for (let pi = 0; pi < 2; pi++) for (let pj = 0; pj < 2; pj++) mean += Math.max(act(2 * pi, 2 * pj), act(2 * pi + 1, 2 * pj), act(2 * pi, 2 * pj + 1), act(2 * pi + 1, 2 * pj + 1)) / 4;
        feats.push(mean);
      }
      const expected = [0, 1, 2].map((k) => fb[k]! + fw[k * 2]! * feats[0]! + fw[k * 2 + 1]! * feats[1]!);
      const got = Array.from((out.logits!.data as Float32Array).subarray(n * 3, n * 3 + 3));
      got.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5));
      const probs = Array.from((out.probs!.data as Float32Array).subarray(n * 3, n * 3 + 3));
      expect(probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    expect(model.graph.inputs[0]!.shape).toEqual(['batch', 1, 4, 4]);
    expect(model.graph.outputs.map((o) => o.shape)).toEqual([['batch', 3], ['batch', 3]]);
  });

  it('tracked shapes of every helper equal what onnxruntime computes (value_info accepted)', async () => {
    for (const opset of [13, 11]) {
      const b = new GraphBuilder({ opset, seed: 1 });
      const x = b.imageInput('x', 4, 8, 8);
      const tensors: string[] = [];
      const keep = (t: string) => (tensors.push(t), t);
      const conv = keep(b.conv(x, { filters: 6, kernel: [3, 1], strides: 2, padding: 'same', batchNorm: true, activation: 'relu6' }));
      keep(b.conv(x, { filters: 4, kernel: 3, dilations: 2, group: 2, padding: [1, 0, 2, 1], activation: 'leakyRelu' }));
      keep(b.averagePool(x, { kernel: 3, strides: 2, ceilMode: true, countIncludePad: true, padding: 1 }));
      keep(b.maxPool(x, { kernel: 3, strides: 2, ceilMode: true }));
      keep(b.globalMaxPool(conv));
      const up = keep(b.convTranspose(conv, { filters: 3, kernel: 3, strides: 2, pads: 1, outputPadding: 1 }));
      keep(b.resize(up, { scales: [0.5, 0.5], mode: 'linear' }));
      keep(b.resize(up, { sizes: [5, 3], mode: 'nearest' }));
      const cat = keep(b.concat([x, keep(b.resize(conv, { scales: [2, 2] }))], 1));
      const parts = b.split(cat, [3, 7], 1).map(keep);
      keep(b.slice(parts[1]!, [1, -1], [4, 0], [1, 3], [1, -2]));
      keep(b.pad(parts[0]!, [0, 0, 1, 2, 0, 0, 2, 1], { mode: 'reflect' }));
      keep(b.gather(parts[0]!, [2, 0, 2], 1));
      keep(b.gather(parts[0]!, [1, 2, 3, 4], 3, [2, 2]));
      const flat = keep(b.flatten(conv));
      keep(b.reshape(conv, [0, 6, -1]));
      keep(b.transpose(conv, [0, 2, 3, 1]));
      const sq = keep(b.squeeze(keep(b.reduceSum(conv, [2, 3], true)), [2, 3]));
      keep(b.unsqueeze(sq, [1, -1]));
      keep(b.reduceMean(conv, [1], false));
      keep(b.matMul(keep(b.reshape(conv, [0, 6, 16])), b.constFloat(new Float32Array(32).fill(0.1), [16, 2])));
      keep(b.matMul(keep(b.reshape(conv, [0, 16, 6])), b.constFloat([1, 2, 3, 4, 5, 6], [6])));
      keep(b.add(conv, b.constFloat([1, 2, 3, 4, 5, 6], [6, 1, 1])));
      keep(b.div(keep(b.mul(conv, b.constFloat([2], []))), b.constFloat([4], [1])));
      keep(b.sub(keep(b.tanh(conv)), keep(b.sigmoid(conv))));
      const fc = keep(b.dense(flat, 5, { activation: 'tanh' }));
      keep(b.logSoftmax(fc));
      keep(b.gemm(fc, b.constFloat(new Float32Array(10).fill(1), [2, 5]), undefined, { transB: true, alpha: 0.5 }));
      for (const t of tensors) b.output(t);
      const model = b.build();
      const out = await run(model, { x: { data: Float32Array.from({ length: 2 * 4 * 64 }, (_, i) => Math.cos(i)), dims: [2, 4, 8, 8] } });
      for (const t of tensors) {
        const tracked = b.shapeOf(t)!.map((d) => (d === 'batch' ? 2 : d));
        expect([...out[t]!.dims], `${t} (opset ${opset})`).toEqual(tracked);
      }
    }
  });

  it('scopes, unique names and absolute names', () => {
    const b = new GraphBuilder();
    const x = b.imageInput('input', 3, 8, 8);
    const y = b.scope('mixed3', () => {
      const a = b.scope('branch1x1', () => b.conv(x, { filters: 2, kernel: 1, name: 'conv' }));
      const c = b.scope('branch3x3', () => b.conv(x, { filters: 2, kernel: 3, padding: 'same', batchNorm: true, activation: 'relu', name: 'conv' }));
      const again = b.scope('branch1x1', () => b.conv(x, { filters: 2, kernel: 1, name: 'conv' }));
      expect(again).toBe('mixed3/branch1x1/conv_1');
      return b.concat([a, c], 1, '/mixed3');
    });
    expect(y).toBe('mixed3');
    b.output(y);
    const model = b.build();
    const names = model.graph.nodes.map((n) => n.name);
    expect(names).toContain('mixed3/branch1x1/conv');
    expect(names).toContain('mixed3/branch3x3/conv/bn');
    expect(names).toContain('mixed3/branch3x3/conv/relu');
    expect(new Set(names).size).toBe(names.length);
    expect(model.graph.initializers.map((t) => t.name)).toContain('mixed3/branch1x1/conv/weight');
    expect(model.graph.initializers.map((t) => t.name)).toContain('mixed3/branch1x1/conv_1/weight');
    expect(model.opsetImports).toEqual([{ domain: '', version: 13 }]);
  });

  it('parameters are a function of the seed and the tensor name (not of build order)', () => {
    const make = (seed: number, extraFirst: boolean) => {
      const b = new GraphBuilder({ seed });
      const x = b.imageInput('x', 2, 5, 5);
      if (extraFirst) b.conv(x, { filters: 3, kernel: 3, name: 'extra' });
      b.output(b.conv(x, { filters: 4, kernel: 3, name: 'main' }));
      return weightsOf(b.build(), 'main/weight');
    };
    const a = make(7, false);
    expect(make(7, true)).toEqual(a);
    expect(make(8, false)).not.toEqual(a);
    // He normal: std sqrt(2 / fanIn) with fanIn = 2 * 3 * 3.
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std).toBeGreaterThan(0.15);
    expect(std).toBeLessThan(0.5);
  });

  it('round-trips through encodeModel/decodeModel', () => {
    const b = new GraphBuilder({ seed: 3 });
    const x = b.imageInput('x', 1, 4, 4);
    b.output(b.conv(x, { filters: 2, kernel: 3, batchNorm: true, activation: 'sigmoid' }));
    const model = b.build({ docString: 'tiny', metadata: { arch: 'test' } });
    expect(decodeModel(encodeModel(model))).toEqual(model);
  });

  it('reports misuse with UsageError', () => {
    const b = new GraphBuilder();
    expect(() => b.build()).toThrow(UsageError);
    const x = b.input('x', ['batch', null, 4, 4]);
    expect(() => b.conv(x, { filters: 2, kernel: 3 })).toThrow(/channel count must be static/);
    const y = b.imageInput('y', 3, 4, 4);
    expect(() => b.conv(y, { filters: 2, kernel: 3, group: 2 })).toThrow(UsageError);
    expect(() => b.initializer('w', [2, 2], new Float32Array(3))).toThrow(UsageError);
    expect(() => b.output(b.relu(y), 'y')).toThrow(/already used/);
  });
});
