import { describe, expect, it } from 'vitest';
import type { GradientRule } from '../../../../src/graph/autodiff/rule.js';
import { reluRule } from '../../../../src/graph/autodiff/rules/relu.js';
import { GraphBuilder } from '../../../../src/graph/builder.js';
import { awayFromZero, backwardModel, checkRule, randomFeed, run } from './rule-harness.js';

function unaryCase(op: (b: GraphBuilder, x: string) => string, dims: number[], opset = 13) {
  const b = new GraphBuilder({ opset });
  const x = b.input('x', ['batch', ...dims.slice(1)]);
  b.output(op(b, x));
  return { model: b.build(), x };
}

describe('Relu mask (float32)', () => {
  it.each([false, true])('passes the gradient exactly where Y > 0, denormal Y included (guided: %s)', async (guided) => {
    const { model, x } = unaryCase((b, t) => b.relu(t), [1, 12]);
    const values = [-1, -0, 0, 1e-45, 1e-40, 1.1754942e-38, 1.1754944e-38, 1e-30, 1e-3, 3, 1e30, Infinity];
    const seed = [0.5, 0.5, 0.5, 0.5, -0.25, 0.5, 0.5, 0.5, -2, 1, 0.75, 1.5];
    const rule: GradientRule = guided ? { ...reluRule, backward: (ctx) => reluRule.backward({ ...ctx, mode: { ...ctx.mode, guided: true } }) } : reluRule;
    const { model: withGrad, grads, seeds } = backwardModel(model, [x], { rule });
    const out = await run(withGrad, { [x]: { data: Float32Array.from(values), dims: [1, 12] }, [seeds[0]!]: { data: Float32Array.from(seed), dims: [1, 12] } }, [grads[x]!]);
    const expected = values.map((v, i) => (Math.fround(v) > 0 && (!guided || seed[i]! > 0) ? Math.fround(seed[i]!) : 0));
    expect(Array.from(out[grads[x]!]!.data)).toEqual(expected);
  });
});

describe('activation gradient rules vs finite differences', () => {
  it('Sigmoid', async () => {
    const { model, x } = unaryCase((b, t) => b.sigmoid(t), [2, 3, 4]);
    await checkRule({ model, feeds: { [x]: randomFeed([2, 3, 4], 1, -3, 3) }, wrt: [x] });
  });

  it('Tanh', async () => {
    const { model, x } = unaryCase((b, t) => b.tanh(t), [2, 5]);
    await checkRule({ model, feeds: { [x]: randomFeed([2, 5], 2, -2, 2) }, wrt: [x] });
  });

  it.each([0.01, 0.2, 1.5])('LeakyRelu alpha=%s', async (alpha) => {
    const { model, x } = unaryCase((b, t) => b.leakyRelu(t, alpha), [2, 3, 3]);
    await checkRule({ model, feeds: { [x]: awayFromZero([2, 3, 3], 3, 0.05) }, wrt: [x] });
  });

  it.each([
    [0, 6],
    [-0.5, 0.5],
    [undefined, 0.3],
    [-0.2, undefined],
  ])('Clip min=%s max=%s (opset 13 inputs)', async (min, max) => {
    const { model, x } = unaryCase((b, t) => b.clip(t, min, max), [2, 8]);
    const feed = randomFeed([2, 8], 4, -1, 1);
    // Keep values away from the bounds by more than the finite-difference step.
    for (let i = 0; i < feed.data.length; i++) {
      for (const bound of [min, max]) if (bound !== undefined && Math.abs(feed.data[i]! - bound) < 0.05) feed.data[i] = bound + 0.1;
    }
    await checkRule({ model, feeds: { [x]: feed }, wrt: [x] });
  });

  it.each([8, 10])('Clip in attribute form (opset %s)', async (opset) => {
    const b = new GraphBuilder({ opset });
    const x = b.input('x', ['batch', 6]);
    b.output(b.node('Clip', [x], { min: { type: 'float', value: -0.4 }, max: { type: 'float', value: 0.45 } }, { shapes: [['batch', 6]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([3, 6], 5) }, wrt: [x] });
  });

  it.each([-1, 1, 0])('Softmax axis=%s (opset 13)', async (axis) => {
    const { model, x } = unaryCase((b, t) => b.softmax(t, axis), [2, 3, 4]);
    await checkRule({ model, feeds: { [x]: randomFeed([2, 3, 4], 6, -2, 2) }, wrt: [x] });
  });

  it.each([-1, 1, 2])('LogSoftmax axis=%s (opset 13)', async (axis) => {
    const { model, x } = unaryCase((b, t) => b.logSoftmax(t, axis), [2, 3, 4]);
    await checkRule({ model, feeds: { [x]: randomFeed([2, 3, 4], 7, -2, 2) }, wrt: [x] });
  });

  it.each([
    ['Softmax', 1],
    ['Softmax', 2],
    ['LogSoftmax', 1],
  ])('%s axis=%s with opset 11 2-D coercion', async (op, axis) => {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', ['batch', 3, 4]);
    b.output(b.node(op, [x], { axis: { type: 'int', value: axis } }, { shapes: [['batch', 3, 4]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4], 8, -2, 2) }, wrt: [x] });
  });

  it('Softmax rows of the gradient sum to zero (shift invariance)', async () => {
    const { model, x } = unaryCase((b, t) => b.softmax(t, -1), [2, 5]);
    const result = await checkRule({ model, feeds: { [x]: randomFeed([2, 5], 9) }, wrt: [x] });
    expect(result.checked).toBe(10);
  });
});
