import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/core/errors.js';
import { differentiate } from '../../../src/graph/autodiff/differentiate.js';
import { checkGradients, makeModel, node, param, runModel, type GraphSpec } from './harness.js';

const cnn: GraphSpec = {
  inputs: { x: [2, 2, 6, 6] },
  params: { w1: param([4, 2, 3, 3], 1, 0.5), b1: param([4], 2), w2: param([3, 4], 3), b2: param([3], 4) },
  nodes: [
    node('Conv', ['x', 'w1', 'b1'], ['c'], { pads: [1, 1, 1, 1] }),
    node('Relu', ['c'], ['r']),
    node('MaxPool', ['r'], ['p'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
    node('GlobalAveragePool', ['p'], ['g']),
    node('Flatten', ['g'], ['f']),
    node('Gemm', ['f', 'w2', 'b2'], ['logits'], { transB: 1 }),
  ],
  output: 'logits',
};

describe('differentiate (driver)', () => {
  it('input, intermediate-tensor and weight gradients of a small CNN match finite differences', async () => {
    const report = await checkGradients(cnn, { inputs: ['x'], tensors: ['r'], weights: true, maxElements: 60 });
    expect(Object.keys(report.result.gradients).sort()).toEqual(['b1', 'b2', 'r', 'w1', 'w2', 'x']);
    expect(report.result.activations).toEqual({ r: 'r' });
    expect([...report.result.weightInputs].sort()).toEqual(['b1', 'b2', 'w1', 'w2']);
  });

  it('a tensor with several consumers gets the sum of their gradients (residual)', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 4, 4] },
      params: { w: param([3, 3, 3, 3], 5, 0.4) },
      // x feeds the conv and the residual Add; c feeds the Add and the Concat.
      nodes: [
        node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
        node('Add', ['c', 'x'], ['s']),
        node('Concat', ['s', 'c'], ['cat'], { axis: 1 }),
        node('Relu', ['cat'], ['y']),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], weights: ['w'] });
  });

  it('the backward graph works for any batch size (batch dim stays dynamic)', async () => {
    const model = makeModel(cnn);
    const result = differentiate(model, { output: 'logits', inputs: ['x'] });
    for (const n of [1, 3, 5]) {
      const out = await runModel(result.model, { x: param([n, 2, 6, 6], n), [result.seedInput]: param([n, 3], 9) });
      expect(out[result.gradients.x!]!.dims).toEqual([n, 2, 6, 6]);
    }
  });

  it('prunes: only backward nodes needed for the requested gradients', () => {
    const model = makeModel(cnn);
    const atPool = differentiate(model, { output: 'logits', tensors: ['p'] });
    const ops = atPool.model.graph.nodes.slice(cnn.nodes.length).map((n) => n.opType);
    expect(ops).not.toContain('Conv');
    expect(ops).not.toContain('ScatterElements');
    expect(atPool.model.graph.initializers.map((t) => t.name).sort()).toEqual(expect.arrayContaining(['w1', 'w2']));
    const full = differentiate(model, { output: 'logits', inputs: ['x'] });
    const fullOps = full.model.graph.nodes.slice(cnn.nodes.length).map((n) => n.opType);
    expect(fullOps).toContain('Conv'); // stride-1 input gradient: Conv on flipped weights
    expect(fullOps).not.toContain('ConvTranspose');
    expect(fullOps.filter((o) => o === 'Gemm').length).toBe(1); // only dX of the final Gemm
  });

  it('carries shape-only subgraphs through (PyTorch-style flatten via Shape/Gather/Concat/Reshape)', async () => {
    const i64 = (values: number[]) => ({ name: '', dataType: 7, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 2, 2] },
      params: { w: param([12, 2], 6) },
      nodes: [
        node('Shape', ['x'], ['shape']),
        node('Constant', [], ['zero'], { value: { ...i64([0]), dims: [] } }),
        node('Gather', ['shape', 'zero'], ['n'], { axis: 0 }),
        node('Constant', [], ['axes0'], { value: i64([0]) }),
        node('Unsqueeze', ['n', 'axes0'], ['n1']),
        node('Constant', [], ['minus1'], { value: i64([-1]) }),
        node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }),
        node('Reshape', ['x', 'target'], ['flat']),
        node('Gemm', ['flat', 'w'], ['y']),
      ],
      output: 'y',
    };
    const report = await checkGradients(spec, { inputs: ['x'], weights: ['w'] });
    expect(report.stats.x!.checked).toBeGreaterThan(0);
  });

  it('an op without a rule is a ModelError listing every such node, the op and the supported list', () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 4] },
      nodes: [node('Erf', ['x'], ['a'], {}, 'first_erf'), node('Relu', ['a'], ['b']), node('Erf', ['b'], ['c'], {}, 'second_erf'), node('Shape', ['c'], ['s'])],
      output: 'c',
    };
    let error: unknown;
    try {
      differentiate(makeModel(spec), { output: 'c', inputs: ['x'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    const e = error as ModelError;
    expect(e.code).toBe('autodiff-unsupported-op');
    expect(e.node).toBe('first_erf');
    expect(e.op).toBe('Erf');
    expect(e.message).toContain('second_erf (Erf)');
    expect(e.message).toMatch(/supported ops: .*Conv.*Relu/);
  });

  it('refuses unknown names and tensors that do not influence the output', () => {
    const model = makeModel(cnn);
    expect(() => differentiate(model, { output: 'nope', inputs: ['x'] })).toThrow(ModelError);
    expect(() => differentiate(model, { output: 'logits', inputs: ['w1'] })).toThrow(/not a graph input/);
    expect(() => differentiate(model, { output: 'r', tensors: ['logits'] })).toThrow(/does not influence/);
    expect(() => differentiate(model, { output: 'logits', weights: ['missing'] })).toThrow(/not an initializer/);
  });

  it('does not modify the forward model it is given', () => {
    const model = makeModel(cnn);
    const before = JSON.stringify(model, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    differentiate(model, { output: 'logits', inputs: ['x'], tensors: ['r'], weights: true, mode: { training: true } });
    expect(JSON.stringify(model, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(before);
  });
});
