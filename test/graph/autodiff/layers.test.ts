import { describe, expect, it } from 'vitest';
import { checkGradients, node, param, type GraphSpec } from './harness.js';

describe('Relu gradient', () => {
  const spec: GraphSpec = { inputs: { x: [2, 3, 4] }, params: { w: param([3, 4], 3) }, nodes: [node('Mul', ['x', 'w'], ['m']), node('Relu', ['m'], ['y'])], output: 'y' };
  it('plain', async () => {
    await checkGradients(spec, { inputs: ['x'] });
  });
  it('guided: passes only where forward input > 0 and incoming gradient > 0', async () => {
    const report = await checkGradients({ ...spec, nodes: [node('Relu', ['x'], ['y'])] }, { inputs: ['x'], mode: { guided: true }, step: 1e-3, maxElements: 0 });
    const g = report.outputs[report.result.gradients.x!]!.data as Float32Array;
    expect(g.every((v) => v >= 0)).toBe(true);
    expect(g.some((v) => v > 0)).toBe(true);
  });
});

describe('Gemm gradient', () => {
  for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
    it(`transA ${transA} transB ${transB}, alpha and beta, broadcast bias`, async () => {
      const a = transA ? [5, 2] : [2, 5];
      const b = transB ? [3, 5] : [5, 3];
      // Input 'x' is [2, 5]; a Transpose-free route to the transposed layout is a second Gemm input.
      const spec: GraphSpec = {
        inputs: { x: a },
        params: { w: param(b, 4), c: param([3], 5) },
        nodes: [node('Gemm', ['x', 'w', 'c'], ['y'], { transA, transB, alpha: { float: 0.7 }, beta: { float: 1.3 } })],
        output: 'y',
      };
      await checkGradients(spec, { inputs: transA ? [] : ['x'], weights: ['w', 'c'] });
    });
  }
  it('full-size C and a [M, 1] C', async () => {
    for (const cDims of [[2, 3], [2, 1], [1, 3], [1]]) {
      const spec: GraphSpec = { inputs: { x: [2, 5] }, params: { w: param([5, 3], 4), c: param(cDims, 5) }, nodes: [node('Gemm', ['x', 'w', 'c'], ['y'])], output: 'y' };
      await checkGradients(spec, { inputs: ['x'], weights: ['w', 'c'] });
    }
  });
});

describe('Concat, Flatten, ReduceMean, Identity, Dropout gradients', () => {
  it('Concat along channels, with one input used twice (gradients summed)', async () => {
    const spec: GraphSpec = {
      inputs: { a: [2, 2, 3], b: [2, 3, 3] },
      params: { w: param([1, 7, 3], 8) },
      nodes: [node('Concat', ['a', 'b', 'a'], ['c'], { axis: 1 }), node('Mul', ['c', 'w'], ['y'])],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['a', 'b'] });
  });
  it('Flatten then Gemm', async () => {
    const spec: GraphSpec = {
      inputs: { x: [3, 2, 2, 2] },
      params: { w: param([8, 4], 9) },
      nodes: [node('Flatten', ['x'], ['f']), node('Gemm', ['f', 'w'], ['y'])],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], weights: ['w'] });
  });
  it('ReduceMean keepdims 0/1, negative axes, over the batch axis', async () => {
    const variants: Record<string, number | number[]>[] = [{ axes: [2, 3], keepdims: 0 }, { axes: [-1], keepdims: 1 }, { axes: [0, 2] }, {}];
    for (const attrs of variants) {
      const spec: GraphSpec = { inputs: { x: [2, 3, 4, 2] }, nodes: [node('ReduceMean', ['x'], ['y'], attrs)], output: 'y' };
      await checkGradients(spec, { inputs: ['x'] });
    }
  });
  it('ReduceMean with axes as an input (opset 18)', async () => {
    const spec: GraphSpec = { opset: 18, inputs: { x: [2, 3, 4] }, params: {}, nodes: [node('Constant', [], ['axes'], { value: { name: '', dataType: 7, dims: [1], data: BigInt64Array.of(1n) } }), node('ReduceMean', ['x', 'axes'], ['y'], { keepdims: 0 })], output: 'y' };
    await checkGradients(spec, { inputs: ['x'] });
  });
  it('Identity and Dropout (inference) pass gradients through', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 4] },
      params: { w: param([2, 4], 2) },
      nodes: [node('Identity', ['x'], ['i']), node('Dropout', ['i'], ['d', 'mask']), node('Mul', ['d', 'w'], ['y'])],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], tensors: ['i'] });
  });
});

describe('BatchNormalization gradient', () => {
  const params = { scale: param([3], 21, 0.5, 1), bias: param([3], 22), mean: param([3], 23, 0.2), var: param([3], 24, 0.3, 1) };
  const bnSpec = (extra: Record<string, number | { float: number }> = {}): GraphSpec => ({
    inputs: { x: [4, 3, 3, 2] },
    params: { ...params, w: param([1, 3, 3, 2], 25) },
    nodes: [node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['bn'], { epsilon: { float: 1e-3 }, ...extra }), node('Mul', ['bn', 'w'], ['y'])],
    output: 'y',
  });
  it('inference: input, scale and bias', async () => {
    await checkGradients(bnSpec(), { inputs: ['x'], weights: ['scale', 'bias'] });
  });
  it('inference with weights: true (running statistics are not weights)', async () => {
    const report = await checkGradients(bnSpec(), { inputs: ['x'], weights: true });
    expect([...report.result.weightInputs].sort()).toEqual(['bias', 'scale', 'w']);
  });
  it('training: batch statistics in forward and backward, running-stat updates exposed', async () => {
    const report = await checkGradients(bnSpec({ momentum: { float: 0.8 } }), { inputs: ['x'], weights: ['scale', 'bias'], mode: { training: true }, step: 3e-3, rtol: 2e-2 });
    const updates = report.result.updates;
    expect(Object.keys(updates).sort()).toEqual(['mean', 'var']);
    // running' = 0.8 * running + 0.2 * batch statistic (unbiased variance, as PyTorch), per channel.
    const x = report.feeds.x!.data;
    const rm = report.outputs[updates.mean!]!.data as Float32Array;
    const rv = report.outputs[updates.var!]!.data as Float32Array;
    for (let c = 0; c < 3; c++) {
      const vals: number[] = [];
      for (let n = 0; n < 4; n++) for (let k = 0; k < 6; k++) vals.push(x[(n * 3 + c) * 6 + k]!);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const unbiased = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1);
      expect(rm[c]).toBeCloseTo(0.8 * params.mean.data[c]! + 0.2 * mean, 5);
      expect(rv[c]).toBeCloseTo(0.8 * params.var.data[c]! + 0.2 * unbiased, 5);
    }
  });
});
