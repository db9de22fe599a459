import { describe, expect, it } from 'vitest';
import { checkGradients, node, param, type GraphSpec } from './harness.js';

function convSpec(attrs: Record<string, number | number[] | string>, opts: { c?: number; m?: number; k?: number[]; hw?: number[]; group?: number; bias?: boolean; opset?: number } = {}): GraphSpec {
  const c = opts.c ?? 3;
  const m = opts.m ?? 4;
  const k = opts.k ?? [3, 3];
  const group = opts.group ?? 1;
  const hw = opts.hw ?? [7, 6];
  const inputs = ['x', 'w', ...(opts.bias === false ? [] : ['b'])];
  return {
    opset: opts.opset ?? 13,
    inputs: { x: [2, c, ...hw] },
    params: { w: param([m, c / group, ...k], 11, 0.5), b: param([m], 12) },
    nodes: [node('Conv', inputs, ['y'], { ...attrs, ...(group > 1 ? { group } : {}) })],
    output: 'y',
  };
}

const all = { inputs: ['x'], weights: ['w', 'b'] };

describe('Conv gradient', () => {
  it('stride 1, symmetric pads (flipped-weight Conv for dX, shifted-slice Gemm for dW)', async () => {
    await checkGradients(convSpec({ pads: [1, 1, 1, 1] }), all);
  });
  it('few output positions: dW as one GEMM over batch and positions (3x3, 1x1, strided), and the per-image form otherwise', async () => {
    // The joint form transposes dY to [M, N, P]; only it emits a Transpose with perm [1, 0, 2].
    const joint = (r: Awaited<ReturnType<typeof checkGradients>>) =>
      r.result.model.graph.nodes.some((n) => n.opType === 'Transpose' && n.attributes.perm?.type === 'ints' && n.attributes.perm.value.join() === '1,0,2');
    expect(joint(await checkGradients(convSpec({}, { c: 16, m: 16, hw: [4, 4] }), all))).toBe(true);
    expect(joint(await checkGradients(convSpec({}, { c: 24, m: 24, k: [1, 1], hw: [2, 2] }), all))).toBe(true);
    expect(joint(await checkGradients(convSpec({ strides: [2, 2], pads: [1, 1, 1, 1] }, { c: 32, m: 32, hw: [5, 5] }), all))).toBe(true);
    expect(joint(await checkGradients(convSpec({ pads: [1, 1, 1, 1] }), all))).toBe(false);
  });
  it('fewer output channels than positions: dW as one product per kernel offset; otherwise im2col columns', async () => {
    // Only the per-offset form concatenates MatMul outputs (its products, as [N, M, K*C]).
    const perOffset = (r: Awaited<ReturnType<typeof checkGradients>>) => {
      const nodes = r.result.model.graph.nodes;
      const products = new Set(nodes.filter((n) => n.opType === 'MatMul').map((n) => n.outputs[0]));
      return nodes.some((n) => n.opType === 'Concat' && n.inputs.length > 1 && n.inputs.every((i) => products.has(i)));
    };
    expect(perOffset(await checkGradients(convSpec({ pads: [1, 1, 1, 1] }), all))).toBe(true); // M 4 < P 42
    expect(perOffset(await checkGradients(convSpec({ pads: [0, 1, 2, 1] }, { m: 5, k: [3, 2], hw: [6, 5] }), all))).toBe(true);
    expect(perOffset(await checkGradients(convSpec({ pads: [1, 1, 1, 1] }, { c: 2, m: 12, hw: [3, 3] }), all))).toBe(false); // M 12 >= P 9
  });
  it('1x1 conv (single Gemm weight gradient)', async () => {
    await checkGradients(convSpec({}, { k: [1, 1] }), all);
  });
  it('stride 2 with asymmetric pads (ConvTranspose for dX)', async () => {
    await checkGradients(convSpec({ strides: [2, 2], pads: [0, 1, 2, 1] }), all);
  });
  it('stride 2 with output padding needed (uncovered trailing input)', async () => {
    await checkGradients(convSpec({ strides: [2, 3], pads: [0, 0, 0, 0] }, { hw: [8, 8] }), all);
  });
  it('auto_pad SAME_UPPER and SAME_LOWER, VALID', async () => {
    await checkGradients(convSpec({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, { hw: [6, 7] }), all);
    await checkGradients(convSpec({ auto_pad: 'SAME_LOWER' }, { k: [2, 2] }), all);
    await checkGradients(convSpec({ auto_pad: 'VALID', strides: [1, 2] }), all);
  });
  it('dilation 2, stride 1 and 2', async () => {
    await checkGradients(convSpec({ dilations: [2, 2], pads: [2, 1, 2, 1] }, { hw: [8, 8] }), all);
    await checkGradients(convSpec({ dilations: [2, 1], strides: [2, 2], pads: [1, 1, 1, 1] }, { hw: [9, 8] }), all);
  });
  it('groups and depthwise', async () => {
    await checkGradients(convSpec({ pads: [1, 1, 1, 1] }, { c: 4, m: 6, group: 2 }), all);
    await checkGradients(convSpec({ pads: [1, 1, 1, 1] }, { c: 4, m: 4, group: 4 }), all);
    await checkGradients(convSpec({ strides: [2, 2], pads: [1, 0, 1, 0] }, { c: 3, m: 6, group: 3 }), all);
  });
  it('large maps (Conv form of dW): symmetric and asymmetric pads, 1-D, runtime weights', async () => {
    // Sums over large maps: a larger step keeps float32 round-off of the finite differences below tolerance.
    const opts = { step: 0.1 };
    await checkGradients(convSpec({ pads: [1, 1, 1, 1] }, { c: 2, m: 3, hw: [24, 25] }), { ...all, ...opts });
    await checkGradients(convSpec({ pads: [0, 1, 2, 1] }, { c: 2, m: 3, hw: [26, 24] }), { ...all, ...opts });
    await checkGradients(convSpec({ pads: [2, 0] }, { k: [3], hw: [600], bias: false }), { inputs: ['x'], weights: ['w'], ...opts });
    const spec = convSpec({ pads: [1, 1, 1, 1] }, { c: 2, m: 3, hw: [24, 24] });
    spec.nodes = [node('Relu', ['x'], ['xr']), node('Conv', ['xr', 'w', 'b'], ['y'], { pads: [1, 1, 1, 1] })];
    await checkGradients(spec, { inputs: ['x'], weights: true, ...opts });
  });
  it('no bias, 1-D conv', async () => {
    await checkGradients(convSpec({ pads: [1, 1] }, { k: [3], hw: [9], bias: false }), { inputs: ['x'], weights: ['w'] });
  });
  it('weight gradient of a conv fed by a runtime weight tensor (training flips at run time)', async () => {
    const spec = convSpec({ pads: [1, 1, 1, 1] }, { c: 4, m: 6, group: 2 });
    spec.nodes = [node('Relu', ['x'], ['xr']), node('Conv', ['xr', 'w', 'b'], ['y'], { pads: [1, 1, 1, 1], group: 2 }), node('Relu', ['y'], ['z'])];
    spec.output = 'z';
    await checkGradients(spec, { inputs: ['x'], weights: true });
  });
});
