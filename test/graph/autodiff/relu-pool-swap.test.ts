import { describe, expect, it } from 'vitest';
import { differentiate, type DifferentiateOptions } from '../../../src/graph/autodiff/differentiate.js';
import type { Model } from '../../../src/graph/ir.js';
import { checkGradients, makeModel, node, param, runModel, type Feed, type GraphSpec } from './harness.js';

// Conv -> Relu -> MaxPool (ResNet's stem) -> a head, with overlapping 3x3 stride-2 windows.
const stem: GraphSpec = {
  opset: 16,
  inputs: { x: [2, 2, 8, 8] },
  params: { w: param([4, 2, 3, 3], 1, 0.5), b: param([4], 2, 0.3, -0.2), w2: param([3, 4], 3) },
  nodes: [
    node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }),
    node('Relu', ['c'], ['r']),
    node('MaxPool', ['r'], ['p'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
    node('GlobalAveragePool', ['p'], ['g']),
    node('Flatten', ['g'], ['f']),
    node('Gemm', ['f', 'w2'], ['logits'], { transB: 1 }),
  ],
  output: 'logits',
};

// The forward nodes only: backward nodes are named hc_grad/... (the guided rule emits a Relu of its own).
const order = (m: Model) => m.graph.nodes.filter((n) => !n.name.startsWith('hc_grad/') && (n.opType === 'MaxPool' || n.opType === 'Relu')).map((n) => n.opType);

/** Input and weight gradients of `spec` on `x`, with `extra` options (tensors, mode). */
async function gradients(spec: GraphSpec, x: Feed, extra: Partial<DifferentiateOptions> = {}) {
  const model = makeModel(spec);
  const result = differentiate(model, { output: spec.output, inputs: ['x'], weights: ['w', 'b'], ...extra });
  const seed: Feed = { data: Float32Array.from({ length: 6 }, (_, i) => [1, -2, 0.5, -1, 3, 2][i]!), dims: [2, 3] };
  const out = await runModel(result.model, { x, w: spec.params!.w!, b: spec.params!.b!, [result.seedInput]: seed });
  return { result, logits: out.logits!.data as Float32Array, dx: out[result.gradients.x!]!.data as Float32Array, dw: out[result.gradients.w!]!.data as Float32Array };
}

describe('MaxPool(Relu(z)) rewritten as Relu(MaxPool(z))', () => {
  it('moves the ReLU after the pool and still matches finite differences', async () => {
    const report = await checkGradients(stem, { inputs: ['x'], weights: true, maxElements: 80 });
    expect(order(report.result.model)).toEqual(['MaxPool', 'Relu']);
  });

  it('gives bit-identical logits and gradients to the unrewritten graph, ties and all-negative windows included', async () => {
    // Integer inputs and a zero bias make many exact ties; the negative offset makes whole windows <= 0.
    const x: Feed = { data: Float32Array.from({ length: 2 * 2 * 8 * 8 }, (_, i) => ((i * 7) % 5) - 3), dims: [2, 2, 8, 8] };
    const tied: GraphSpec = { ...stem, params: { ...stem.params!, w: { data: Float32Array.from({ length: 72 }, (_, i) => ((i * 5) % 3) - 1), dims: [4, 2, 3, 3] }, b: { data: new Float32Array(4), dims: [4] } } };
    const swapped = await gradients(tied, x);
    // Requesting the ReLU output as a tensor keeps it, and so keeps the original order.
    const kept = await gradients(tied, x, { tensors: ['r'] });
    expect(order(swapped.result.model)).toEqual(['MaxPool', 'Relu']);
    expect(order(kept.result.model)).toEqual(['Relu', 'MaxPool']);
    const zeros = Array.from(swapped.dx).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(swapped.dx.length / 4); // the case exercises masked positions
    expect(swapped.logits).toEqual(kept.logits);
    expect(swapped.dx).toEqual(kept.dx);
    expect(swapped.dw).toEqual(kept.dw);
  });

  it('is not applied in guided mode, nor when the ReLU output has another consumer or is a graph output', () => {
    const guided = differentiate(makeModel(stem), { output: 'logits', inputs: ['x'], mode: { guided: true } });
    expect(order(guided.model)).toEqual(['Relu', 'MaxPool']);
    const branched: GraphSpec = { ...stem, nodes: [...stem.nodes.slice(0, 3), node('Add', ['p', 'p'], ['q']), ...stem.nodes.slice(3).map((n) => (n.opType === 'GlobalAveragePool' ? node('GlobalAveragePool', ['q'], ['g']) : n)), node('ReduceSum', ['r'], ['extra'])], outputs: ['logits', 'extra'] };
    expect(order(differentiate(makeModel(branched), { output: 'logits', inputs: ['x'] }).model)).toEqual(['Relu', 'MaxPool']);
    const exposed: GraphSpec = { ...stem, outputs: ['logits', 'r'] };
    expect(order(differentiate(makeModel(exposed), { output: 'logits', inputs: ['x'] }).model)).toEqual(['Relu', 'MaxPool']);
  });
});
