import { describe, it } from 'vitest';
import { checkGradients, node, type GraphSpec } from './harness.js';

function pool(op: string, attrs: Record<string, number | number[] | string>, hw: number[], opset = 13): GraphSpec {
  return {
    opset,
    inputs: { x: [2, 3, ...hw] },
    nodes: [node(op, ['x'], ['y'], attrs)],
    output: 'y',
  };
}

describe('MaxPool gradient (scatter to argmax indices)', () => {
  for (const opset of [12, 13, 17]) {
    it(`overlapping 3x3 stride 2 windows with pads, opset ${opset}`, async () => {
      await checkGradients(pool('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [7, 8], opset), { inputs: ['x'], maxElements: 200 });
    });
    it(`ceil_mode and asymmetric pads, opset ${opset}`, async () => {
      await checkGradients(pool('MaxPool', { kernel_shape: [3, 2], strides: [2, 2], pads: [0, 1, 1, 0], ceil_mode: 1 }, [8, 7], opset), { inputs: ['x'], maxElements: 200 });
    });
    it(`stride 1 (heavy overlap) and non-overlapping 2x2, opset ${opset}`, async () => {
      await checkGradients(pool('MaxPool', { kernel_shape: [3, 3], strides: [1, 1] }, [6, 6], opset), { inputs: ['x'], maxElements: 200 });
      await checkGradients(pool('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, [6, 6], opset), { inputs: ['x'], maxElements: 200 });
    });
  }
  it('dilated windows', async () => {
    await checkGradients(pool('MaxPool', { kernel_shape: [2, 2], strides: [1, 1], dilations: [2, 2] }, [6, 6]), { inputs: ['x'], maxElements: 200 });
  });
  it('a max shared by overlapping windows receives the sum', async () => {
    // Constant input rows make ties impossible to avoid by chance: use a plateau-free ramp instead,
    // where the centre of each 3x3 stride-1 window repeats as the max of several windows.
    const data = new Float32Array(2 * 3 * 5 * 5);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.7) * 3 + (i % 5);
    await checkGradients(pool('MaxPool', { kernel_shape: [3, 3], strides: [1, 1] }, [5, 5]), { inputs: ['x'], feeds: { x: { data, dims: [2, 3, 5, 5] } }, maxElements: 200 });
  });
});

describe('AveragePool gradient', () => {
  for (const cip of [0, 1]) {
    it(`stride 1 with pads, count_include_pad ${cip} (sum-pool formulation)`, async () => {
      await checkGradients(pool('AveragePool', { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], count_include_pad: cip }, [6, 5]), { inputs: ['x'], maxElements: 200 });
    });
    it(`stride 2, asymmetric pads, ceil_mode, count_include_pad ${cip}`, async () => {
      await checkGradients(pool('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceil_mode: 1, count_include_pad: cip }, [8, 7]), { inputs: ['x'], maxElements: 200 });
      await checkGradients(pool('AveragePool', { kernel_shape: [2, 3], strides: [2, 2], pads: [0, 1, 1, 1], count_include_pad: cip }, [7, 8]), { inputs: ['x'], maxElements: 200 });
    });
  }
  it('GlobalAveragePool', async () => {
    await checkGradients(pool('GlobalAveragePool', {}, [4, 5]), { inputs: ['x'], maxElements: 200 });
  });
});
