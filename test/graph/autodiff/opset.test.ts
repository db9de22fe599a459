import { describe, expect, it } from 'vitest';
import { differentiate } from '../../../src/graph/autodiff/differentiate.js';
import { gradientOpset } from '../../../src/graph/autodiff/opset.js';
import { defaultOpset, type Model } from '../../../src/graph/ir.js';
import { makeModel, node, param, type Feed } from './harness.js';

function poolNet(opset: number, extra: 'none' | 'roialign' | 'bn-stats' = 'none'): Model {
  const nodes = [node('MaxPool', ['x'], ['p'], { kernel_shape: [3, 3], strides: [2, 2] }), node('GlobalAveragePool', ['p'], ['g']), node('Flatten', ['g'], ['y'])];
  if (extra === 'roialign') nodes.push(node('Identity', ['y'], ['unused']), { ...node('RoiAlign', ['x', 'r', 'i'], ['ra']) });
  if (extra === 'bn-stats') nodes.unshift(node('BatchNormalization', ['x0', 's', 'b', 'm', 'v'], ['x', 'mean_out']));
  const params: Record<string, Feed> = extra === 'bn-stats' ? { s: param([3], 1), b: param([3], 2), m: param([3], 3), v: param([3], 4, 0.1, 1) } : {};
  return makeModel({ opset, inputs: { [extra === 'bn-stats' ? 'x0' : 'x']: [2, 3, 7, 7] }, nodes, output: 'y', params });
}

describe('gradient graph opset', () => {
  it('raises opsets 13-15 to 16 when MaxPool needs its scatter-add, and says so in the graph', () => {
    for (const v of [13, 14, 15]) expect(gradientOpset(poolNet(v))).toBe(16);
    const result = differentiate(poolNet(13), { output: 'y', inputs: ['x'] });
    expect(defaultOpset(result.model)).toBe(16);
    expect(result.model.graph.nodes.filter((n) => n.opType === 'ScatterElements')).toHaveLength(1);
  });
  it('leaves older and newer opsets, graphs without MaxPool, and graphs with changed ops alone', () => {
    expect(gradientOpset(poolNet(12))).toBe(12);
    expect(gradientOpset(poolNet(17))).toBe(17);
    const noPool = makeModel({ opset: 13, inputs: { x: [1, 2] }, nodes: [node('Relu', ['x'], ['y'])], output: 'y' });
    expect(gradientOpset(noPool)).toBe(13);
    expect(gradientOpset(poolNet(13, 'roialign'))).toBe(13);
    expect(gradientOpset(poolNet(13, 'bn-stats'))).toBe(13);
  });
});
