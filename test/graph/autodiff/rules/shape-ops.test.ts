import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../../src/core/errors.js';
import { GraphBuilder } from '../../../../src/graph/builder.js';
import { backwardModel, checkRule, randomFeed } from './rule-harness.js';

function io(dims: (number | string)[]) {
  const b = new GraphBuilder();
  const x = b.input('x', dims);
  return { b, x };
}

describe('static target shapes keep the batch symbol for onnxruntime', () => {
  const shapeOf = (model: ReturnType<typeof backwardModel>['model'], node: { inputs: string[] }, index: number) =>
    Array.from(model.graph.initializers.find((t) => t.name === node.inputs[index])?.data ?? [], Number);

  it('Flatten and Reshape: a constant shape, the symbolic batch dim as 0; a runtime Shape when dim 0 is not the batch', () => {
    const { b, x } = io(['batch', 2, 3, 3]);
    b.output(b.flatten(x));
    const { model } = backwardModel(b.build(), [x]);
    const bw = model.graph.nodes.filter((n) => n.name.startsWith('bw/'));
    expect(bw.map((n) => n.opType)).not.toContain('Shape');
    expect(shapeOf(model, bw.find((n) => n.opType === 'Reshape')!, 1)).toEqual([0, 2, 3, 3]);

    const other = io(['batch', 3, 4]);
    other.b.output(other.b.reshape(other.x, [-1]));
    const merged = backwardModel(other.b.build(), [other.x]).model.graph.nodes.filter((n) => n.name.startsWith('bw/'));
    expect(merged.map((n) => n.opType)).toContain('Shape');
  });

  it('GlobalAveragePool: Expand to the constant [1, C, H, W]', () => {
    const { b, x } = io(['batch', 4, 5, 6]);
    b.output(b.globalAveragePool(x));
    const { model } = backwardModel(b.build(), [x]);
    const expand = model.graph.nodes.find((n) => n.opType === 'Expand')!;
    expect(shapeOf(model, expand, 1)).toEqual([1, 4, 5, 6]);
  });
});

describe('shape-op gradients vs finite differences', () => {
  it.each([
    [[0, -1]],
    [[0, 2, 6]],
    [[-1]],
  ])('Reshape to %j', async (target) => {
    const { b, x } = io(['batch', 3, 4]);
    b.output(b.reshape(x, target));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4], 1) }, wrt: [x] });
  });

  it.each([13, 11])('Squeeze and Unsqueeze (opset %s)', async (opset) => {
    for (const kind of ['squeeze', 'unsqueeze'] as const) {
      const b = new GraphBuilder({ opset });
      const x = b.input('x', ['batch', 1, 3, 1]);
      b.output(kind === 'squeeze' ? b.squeeze(x, [1, -1]) : b.unsqueeze(x, [0, 3]));
      await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 1, 3, 1], 2) }, wrt: [x] });
    }
  });

  it.each([[[0, 2, 3, 1]], [[3, 1, 0, 2]], [undefined]])('Transpose perm=%j', async (perm) => {
    const { b, x } = io(['batch', 2, 3, 4]);
    const y = perm ? b.transpose(x, perm) : b.node('Transpose', [x])[0]!;
    b.output(y);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 3, 4], 3) }, wrt: [x] });
  });

  it.each([
    ['channels, all outputs', [1, 2, 3], 1, []],
    ['last axis, middle output unused', [2, 2, 1], -1, [1]],
    ['spatial, first output unused', [1, 3], 2, [0]],
  ] as const)('Split %s', async (_label, sizes, axis, zero) => {
    const { b, x } = io(['batch', 6, 4, 5]);
    const dims = [2, 6, 4, 5];
    const total = sizes.reduce((p, q) => p + q, 0);
    const shape = ['batch', 6, 4, 5];
    shape[axis < 0 ? axis + 4 : axis] = total;
    const runtime = dims.slice();
    runtime[axis < 0 ? axis + 4 : axis] = total;
    const b2 = new GraphBuilder();
    const x2 = b2.input('x', shape);
    for (const o of b2.split(x2, [...sizes], axis)) b2.output(o);
    void b;
    void x;
    await checkRule({ model: b2.build(), feeds: { [x2]: randomFeed(runtime, 4) }, wrt: [x2], zeroOutputs: [...zero] });
  });

  it('Split in attribute form (opset 11)', async () => {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', ['batch', 5]);
    for (const o of b.split(x, [2, 3], 1)) b.output(o);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([3, 5], 5) }, wrt: [x] });
  });

  it.each([
    ['contiguous spatial crop', [1, 1], [4, -1], [2, 3], undefined],
    ['steps 2 and 3', [0, 1], [5, 6], [2, 3], [2, 3]],
    ['negative step (flip)', [-1], [-100], [3], [-1]],
    ['negative step 2 on channels', [3], [0], [1], [-2]],
    ['open ends (INT64_MAX), default axes incl. the dynamic batch', [0, 0, 1], [Number.MAX_SAFE_INTEGER, 9999, 9999], undefined, undefined],
    ['dynamic batch cut from both ends', [1], [-1], [0], undefined],
    ['empty-free identity on axis 1', [0], [4], [1], undefined],
  ] as const)('Slice: %s', async (_label, starts, ends, axes, steps) => {
    const { b, x } = io(['batch', 4, 5, 6]);
    b.output(b.slice(x, [...starts], [...ends], axes && [...axes], steps && [...steps]));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([3, 4, 5, 6], 6) }, wrt: [x], maxElements: 120 });
  });

  it('Slice needs static sizes on the sliced axes: a ModelError names the node', () => {
    const { b, x } = io(['batch', 4, 'h', 'w']);
    b.output(b.slice(x, [1], [3], [2]));
    expect(() => backwardModel(b.build(), [x])).toThrow(ModelError);
    expect(() => backwardModel(b.build(), [x])).toThrow(/slice.*Slice.*dim 2/s);
  });

  it.each([
    ['1-D unique indices on channels', [2, 0, 3], 1, [3]],
    ['repeated and negative indices', [1, -1, 1, 0, 1], 1, [5]],
    ['2-D index tensor on the last axis', [0, 4, 4, 2, 1, 0], 3, [2, 3]],
    ['scalar index', [2], 2, []],
  ] as const)('Gather: %s', async (_label, indices, axis, indexDims) => {
    const { b, x } = io(['batch', 4, 3, 5]);
    b.output(b.gather(x, [...indices], axis, [...indexDims]));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 4, 3, 5], 7) }, wrt: [x] });
  });

  it('Gather from a weight table (initializer) along axis 0', async () => {
    const b = new GraphBuilder();
    const table = b.constFloat(Array.from({ length: 12 }, (_, i) => i / 7 - 0.5), [4, 3], 'table');
    b.output(b.gather(table, [3, 1, 3], 0));
    await checkRule({ model: b.build(), feeds: {}, wrt: [table] });
  });

  it.each([
    ['keepdims, spatial', [2, 3], true, 13],
    ['no keepdims, channels and last', [1, -1], false, 13],
    ['all axes (empty), no keepdims', [], false, 13],
    ['attribute form (opset 11)', [0, 2], false, 11],
  ] as const)('ReduceSum: %s', async (_label, axes, keep, opset) => {
    const b = new GraphBuilder({ opset });
    const x = b.input('x', ['batch', 3, 4, 2]);
    b.output(b.reduceSum(x, [...axes], keep));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4, 2], 8) }, wrt: [x] });
  });

  it('ReduceSum with noop_with_empty_axes=1 is the identity', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 3]);
    b.output(b.node('ReduceSum', [x], { noop_with_empty_axes: { type: 'int', value: 1 } }, { shapes: [['batch', 3]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3], 9) }, wrt: [x] });
  });

  it('rules that need no static shapes work with none known (runtime Shape ops)', async () => {
    const cases: [string, (b: GraphBuilder, x: string) => string[]][] = [
      ['GlobalMaxPool', (b, x) => [b.globalMaxPool(x)]],
      ['Reshape', (b, x) => [b.reshape(x, [0, -1])]],
      ['ReduceSum', (b, x) => [b.reduceSum(x, [1, 3], false)]],
      ['Split', (b, x) => b.split(x, [1, 2], 1)],
      ['Softmax', (b, x) => [b.softmax(x, 2)]],
      ['Transpose', (b, x) => [b.transpose(x, [0, 3, 1, 2])]],
    ];
    for (const [, make] of cases) {
      const b = new GraphBuilder({ valueInfo: false });
      const x = b.input('x', ['batch', 3, 4, 5]);
      for (const o of make(b, x)) b.output(o);
      await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4, 5], 12) }, wrt: [x], shapes: 'none', maxElements: 40 });
    }
  });
});
