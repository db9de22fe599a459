/**
 * The rules of this folder inside whole graphs through `differentiate` (the driver's shape inference,
 * gradient accumulation and pruning), checked with the shared finite-difference harness.
 */
import { describe, it } from 'vitest';
import { DataType, type Tensor } from '../../../../src/graph/ir.js';
import { checkGradients, node, param, type GraphSpec } from '../harness.js';

const int64 = (name: string, values: number[], dims = [values.length]): Tensor => ({ name, dataType: DataType.INT64, dims, data: BigInt64Array.from(values.map(BigInt)) });
const constant = (name: string, values: number[], dims?: number[]) => node('Constant', [], [name], { value: int64(name, values, dims) });
const floatConst = (name: string, values: number[], dims: number[]): ReturnType<typeof node> =>
  node('Constant', [], [name], { value: { name, dataType: DataType.FLOAT, dims, data: Float32Array.from(values) } });

describe('gradient rules inside graphs (differentiate + finite differences)', () => {
  it('elementwise activations: LeakyRelu -> Sigmoid -> Tanh -> Clip (Relu6-style)', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 4, 4] },
      nodes: [
        node('LeakyRelu', ['x'], ['a'], { alpha: 0.2 }),
        node('Sigmoid', ['a'], ['s']),
        node('Mul', ['s', 'k'], ['sk']),
        node('Tanh', ['sk'], ['t']),
        floatConst('lo', [-0.5], []),
        floatConst('hi', [0.9], []),
        node('Clip', ['t', 'lo', 'hi'], ['y']),
      ],
      params: { k: param([3, 1, 1], 3, 2) },
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], tensors: ['s'], weights: ['k'] });
  });

  it('Softmax and LogSoftmax heads on a MatMul', async () => {
    for (const op of ['Softmax', 'LogSoftmax']) {
      const spec: GraphSpec = {
        inputs: { x: [3, 4] },
        params: { w: param([4, 5], 4) },
        nodes: [node('MatMul', ['x', 'w'], ['z']), node(op, ['z'], ['y'], { axis: -1 })],
        output: 'y',
      };
      await checkGradients(spec, { inputs: ['x'], weights: ['w'] });
    }
  });

  it('Add/Sub/Mul/Div with broadcast weights of several shapes', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 4, 5] },
      params: { a: param([3, 1, 1], 5), b: param([5], 6), c: param([1, 1, 4, 1], 7, 0.5, 1.5), d: param([], 8) },
      nodes: [
        node('Add', ['x', 'a'], ['p']),
        node('Mul', ['b', 'p'], ['q']),
        node('Div', ['q', 'c'], ['r']),
        node('Sub', ['d', 'r'], ['s']),
        node('Mul', ['s', 'x'], ['y']),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], weights: ['a', 'b', 'c', 'd'], tensors: ['q'], step: 2e-3 });
  });

  it('batched MatMul with a broadcast weight, Transpose, Unsqueeze, Squeeze and Reshape', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 4] },
      params: { w: param([4, 6], 9) },
      nodes: [
        node('MatMul', ['x', 'w'], ['m']),
        node('Transpose', ['m'], ['t'], { perm: [0, 2, 1] }),
        constant('ax', [1]),
        node('Unsqueeze', ['t', 'ax'], ['u']),
        node('Squeeze', ['u', 'ax'], ['s']),
        constant('shape', [0, -1]),
        node('Reshape', ['s', 'shape'], ['r']),
        node('Tanh', ['r'], ['y']),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], weights: ['w'], tensors: ['t'] });
  });

  it('Split with one unused output, Concat back, ReduceSum head', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 6, 3] },
      nodes: [
        constant('sizes', [1, 2, 3]),
        node('Split', ['x', 'sizes'], ['s0', 's1', 's2'], { axis: 1 }),
        node('Sigmoid', ['s2'], ['g']),
        node('Concat', ['s0', 'g'], ['c'], { axis: 1 }),
        constant('axes', [2]),
        node('ReduceSum', ['c', 'axes'], ['y'], { keepdims: 0 }),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'] });
  });

  it('Slice (steps), Pad (reflect and constant) and Gather (repeated indices)', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 4, 6, 5] },
      nodes: [
        constant('st', [1, 0]),
        constant('en', [6, 5]),
        constant('axs', [2, 3]),
        constant('stp', [2, 1]),
        node('Slice', ['x', 'st', 'en', 'axs', 'stp'], ['sl']),
        constant('pads', [0, 0, 1, 2, 0, 0, 1, 0]),
        node('Pad', ['sl', 'pads'], ['pr'], { mode: 'reflect' }),
        constant('pads2', [0, 1, 0, 0, 0, 0, 1, 1]),
        node('Pad', ['pr', 'pads2'], ['pc']),
        constant('idx', [4, 0, 4, 2]),
        node('Gather', ['pc', 'idx'], ['y'], { axis: 1 }),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], maxElements: 60 });
  });

  it('decoder: ConvTranspose -> Resize (linear, nearest) -> GlobalMaxPool', async () => {
    const spec: GraphSpec = {
      inputs: { x: [2, 3, 3, 3] },
      params: { w: param([3, 2, 3, 3], 10, 0.5), b: param([2], 11) },
      nodes: [
        node('ConvTranspose', ['x', 'w', 'b'], ['up'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
        floatConst('sc', [1, 1, 1.5, 1.5], [4]),
        node('Resize', ['up', '', 'sc'], ['lin'], { mode: 'linear' }),
        floatConst('sc2', [1, 1, 2, 2], [4]),
        node('Resize', ['lin', '', 'sc2'], ['nn'], { mode: 'nearest' }),
        node('Sigmoid', ['nn'], ['sg']),
        node('GlobalMaxPool', ['sg'], ['y']),
      ],
      output: 'y',
    };
    await checkGradients(spec, { inputs: ['x'], weights: ['w', 'b'], tensors: ['lin'] });
  });
});
