import { describe, expect, it } from 'vitest';
import type { Model, Node } from '../../src/graph/ir.js';
import { blockConvs, NCHWC_DOMAIN } from '../../src/graph/nchwc.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { softmaxCrossEntropy } from '../../src/models/training/losses.js';
import { buildTrainingGraph } from '../../src/models/training/training-graph.js';

function trainingGraph(width: number) {
  const built = buildSmallCnn({ inputSize: 32, width, seed: 1, channels: 3 });
  return buildTrainingGraph(built.model, built.trainOutput, built.parameters, softmaxCrossEntropy);
}

const convWeights = (nodes: readonly Node[], domain: string) => nodes.filter((n) => n.opType === 'Conv' && n.domain === domain).map((n) => n.inputs[1]!);

describe('blockConvs', () => {
  it('rewrites forward and input-gradient convs with runtime weights and drops the flip chains', () => {
    const g = trainingGraph(8);
    const plainConvs = convWeights(g.model.graph.nodes, '');
    const r = blockConvs(g.model, { block: 8, weights: g.weights });
    const nodes = r.model.graph.nodes;
    // conv1 (3 input channels) stays; conv2..conv5 run blocked forward and backward.
    expect(r.convs).toBe(8);
    expect(convWeights(nodes, NCHWC_DOMAIN).length).toBe(8);
    expect(convWeights(nodes, '')).toEqual(plainConvs.filter((w) => w.startsWith('block1/')));
    const forward = r.weights.filter((w) => !w.flipped).map((w) => w.weight).sort();
    const flipped = r.weights.filter((w) => w.flipped).map((w) => w.weight).sort();
    expect(forward).toEqual(flipped);
    expect(forward).toHaveLength(4);
    for (const w of r.weights) {
      const input = r.model.graph.inputs.find((v) => v.name === w.input)!;
      expect(input.shape).toEqual(w.flipped ? [w.dims[1], w.dims[0], w.dims[2], w.dims[3]] : [...w.dims]);
    }
    // The plain weights of blocked convs are no longer read (their gradients come from x and dY).
    expect([...r.droppedInputs].sort()).toEqual(forward);
    for (const name of r.droppedInputs) expect(nodes.some((n) => n.inputs.includes(name))).toBe(false);
    // No reversal MatMul of a weight is left, and every input of every node is produced or fed.
    const known = new Set([...r.model.graph.inputs.map((v) => v.name), ...r.model.graph.initializers.map((t) => t.name), ...nodes.flatMap((n) => n.outputs)]);
    for (const n of nodes) for (const i of n.inputs) if (i) expect(known.has(i), `${n.name} reads ${i}`).toBe(true);
    expect(nodes.filter((n) => n.opType === 'MatMul' && forward.some((w) => n.inputs.some((i) => i.includes(w))))).toHaveLength(0);
    expect(r.model.opsetImports).toContainEqual({ domain: NCHWC_DOMAIN, version: 1 });
    // One ReorderInput per distinct Conv input.
    const reorders = nodes.filter((n) => n.opType === 'ReorderInput').map((n) => n.inputs[0]);
    expect(new Set(reorders).size).toBe(reorders.length);
  });

  it('leaves convs whose channels are not whole blocks, and returns the model itself when none qualify', () => {
    const g = trainingGraph(4); // channels 4, 8, 16, 32, 32
    const r16 = blockConvs(g.model, { block: 16, weights: g.weights });
    // Only conv4 (16 -> 32) and conv5 (32 -> 32) have both counts a multiple of 16.
    expect(r16.convs).toBe(4);
    const none = blockConvs(g.model, { block: 64, weights: g.weights });
    expect(none.convs).toBe(0);
    expect(none.model).toBe(g.model);
  });

  it('leaves grouped convs and convs whose weights are not fed weights', () => {
    const conv = (name: string, w: string, group: number): Node => ({ name, opType: 'Conv', domain: '', inputs: ['x', w], outputs: [`${name}_y`], attributes: { group: { type: 'int', value: group }, kernel_shape: { type: 'ints', value: [3, 3] } } });
    const model: Model = {
      irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadata: [],
      graph: {
        name: 'g',
        nodes: [conv('grouped', 'wg', 2), conv('other', 'wo', 1), { name: 'sum', opType: 'Add', domain: '', inputs: ['grouped_y', 'other_y'], outputs: ['y'], attributes: {} }],
        initializers: [],
        inputs: [{ name: 'x', elemType: 1, shape: [1, 16, 8, 8] }, { name: 'wg', elemType: 1, shape: [16, 8, 3, 3] }, { name: 'wo', elemType: 1, shape: [16, 16, 3, 3] }],
        outputs: [{ name: 'y', elemType: 1, shape: [1, 16, 6, 6] }],
        valueInfo: [],
      },
    };
    expect(blockConvs(model, { block: 8, weights: ['wg'] }).convs).toBe(0);
    const r = blockConvs(model, { block: 8, weights: ['wg', 'wo'] });
    expect(r.convs).toBe(1);
    expect(r.weights.map((w) => w.weight)).toEqual(['wo']);
  });
});
