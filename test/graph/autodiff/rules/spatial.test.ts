import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../../src/core/errors.js';
import { GraphBuilder, type ResizeOptions } from '../../../../src/graph/builder.js';
import { backwardModel, checkRule, randomFeed } from './rule-harness.js';

describe('Pad gradients vs finite differences', () => {
  it.each([
    ['constant, spatial', [0, 0, 1, 2, 0, 0, 2, 0], 'constant'],
    ['constant with crops (negative pads)', [0, 0, -1, 1, 0, 0, 2, -2], 'constant'],
    ['constant on batch and channels', [1, 0, 0, 0, 0, 2, 0, 0], 'constant'],
    ['reflect', [0, 0, 2, 1, 0, 0, 1, 3], 'reflect'],
    ['edge', [0, 0, 3, 1, 0, 0, 1, 2], 'edge'],
  ] as const)('%s', async (_label, pads, mode) => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 2, 4, 5]);
    b.output(b.pad(x, [...pads], { mode, value: mode === 'constant' ? 0.5 : undefined }));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 4, 5], 1) }, wrt: [x] });
  });

  it('constant mode in attribute form (opset 10)', async () => {
    const b = new GraphBuilder({ opset: 10 });
    const x = b.input('x', ['batch', 3, 4]);
    b.output(b.node('Pad', [x], { pads: { type: 'ints', value: [0, 1, 2, 0, 2, 1] } }, { shapes: [['batch', 6, 7]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4], 2) }, wrt: [x] });
  });

  it('constant mode with an axes input (opset 18)', async () => {
    const b = new GraphBuilder({ opset: 18 });
    const x = b.input('x', ['batch', 3, 4]);
    const pads = b.constInt64([2, 1, 0, 3]);
    const axes = b.constInt64([-1, 1]);
    b.output(b.node('Pad', [x, pads, '', axes], {}, { shapes: [['batch', 7, 6]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3, 4], 11) }, wrt: [x] });
  });

  it('refuses wrap mode with a ModelError', () => {
    const b = new GraphBuilder({ opset: 19 });
    const x = b.input('x', ['batch', 3, 4]);
    b.output(b.node('Pad', [x, b.constInt64([0, 0, 1, 0, 0, 1])], { mode: { type: 'string', value: 'wrap' } })[0]!);
    expect(() => backwardModel(b.build(), [x])).toThrow(ModelError);
  });
});

describe('GlobalMaxPool gradient vs finite differences', () => {
  it.each([
    [[2, 3, 4, 5]],
    [[2, 2, 7]],
    [[1, 2, 2, 3, 2]],
  ])('input %j', async (dims) => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', ...dims.slice(1)]);
    b.output(b.globalMaxPool(x));
    // A permutation of spread-out values: no ties, and the max stays the max under the FD step.
    const n = dims.reduce((p, q) => p * q, 1);
    const feed = randomFeed(dims, 3);
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => feed.data[i]! - feed.data[j]!);
    order.forEach((i, rank) => (feed.data[i] = rank * 0.1 - n * 0.05));
    await checkRule({ model: b.build(), feeds: { [x]: feed }, wrt: [x] });
  });

  it('ties send the whole gradient to one position', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 1, 2, 2]);
    b.output(b.globalMaxPool(x));
    const { model, grads, seeds } = backwardModel(b.build(), [x]);
    const ort = await import('onnxruntime-node');
    const { encodeModel } = await import('../../../../src/graph/onnx-io.js');
    const session = await ort.InferenceSession.create(encodeModel(model));
    const out = await session.run({
      [x]: new ort.Tensor('float32', Float32Array.from([1, 3, 3, 0]), [1, 1, 2, 2]),
      [seeds[0]!]: new ort.Tensor('float32', Float32Array.from([2]), [1, 1, 1, 1]),
    });
    expect(Array.from(out[grads[x]!]!.data as Float32Array)).toEqual([0, 2, 0, 0]);
  });
});

describe('Resize gradients vs finite differences', () => {
  const cases: [string, ResizeOptions, number[]][] = [
    ['nearest x2 half_pixel (block fast path)', { scales: [2, 2], mode: 'nearest' }, [2, 2, 3, 4]],
    ['nearest x3 asymmetric floor', { scales: [3, 3], mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' }, [1, 2, 3, 3]],
    ['nearest x1.5 half_pixel round_prefer_ceil', { scales: [1.5, 1.5], mode: 'nearest', nearestMode: 'round_prefer_ceil' }, [2, 1, 4, 4]],
    ['nearest x2 half_pixel floor (not blocks)', { scales: [2, 2], mode: 'nearest', nearestMode: 'floor' }, [1, 2, 3, 3]],
    ['nearest downsample x0.5', { scales: [0.5, 0.5], mode: 'nearest' }, [1, 2, 6, 4]],
    ['linear x2 half_pixel', { scales: [2, 2], mode: 'linear' }, [2, 2, 3, 4]],
    ['linear x2 align_corners', { scales: [2, 2], mode: 'linear', coordinateTransformationMode: 'align_corners' }, [1, 2, 3, 3]],
    ['linear x2 asymmetric', { scales: [2, 2], mode: 'linear', coordinateTransformationMode: 'asymmetric' }, [1, 2, 3, 3]],
    ['linear to sizes 5x7 pytorch_half_pixel', { sizes: [5, 7], mode: 'linear', coordinateTransformationMode: 'pytorch_half_pixel' }, [2, 1, 3, 4]],
    ['linear downsample to sizes 2x3', { sizes: [2, 3], mode: 'linear' }, [1, 2, 5, 6]],
    ['nearest on one axis only (scales 1, 2)', { scales: [1, 2], mode: 'nearest' }, [2, 2, 3, 3]],
  ];
  for (const [label, options, dims] of cases) {
    it(label, async () => {
      const b = new GraphBuilder();
      const x = b.input('x', ['batch', ...dims.slice(1)]);
      b.output(b.resize(x, options));
      await checkRule({ model: b.build(), feeds: { [x]: randomFeed(dims, 4) }, wrt: [x] });
    });
  }

  it('nearest x2 backward uses Reshape + ReduceSum, linear uses constant MatMuls', () => {
    for (const mode of ['nearest', 'linear'] as const) {
      const b = new GraphBuilder();
      const x = b.input('x', ['batch', 2, 3, 4]);
      b.output(b.resize(x, { scales: [2, 2], mode }));
      const ops = backwardModel(b.build(), [x]).model.graph.nodes.filter((n) => n.name.startsWith('bw/')).map((n) => n.opType);
      if (mode === 'nearest') expect(ops.filter((o) => o === 'MatMul')).toHaveLength(0);
      else expect(ops.filter((o) => o === 'MatMul')).toHaveLength(2);
    }
  });

  it('constant 4-value sizes input (opset 13)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 2, 3, 4]);
    const sizes = b.constInt64([2, 2, 5, 9]);
    b.output(b.node('Resize', [x, '', '', sizes], { mode: { type: 'string', value: 'linear' } }, { shapes: [[2, 2, 5, 9]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 3, 4], 10) }, wrt: [x] });
  });

  it('linear on a 3-D (N, C, L) tensor', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 2, 5]);
    b.output(b.resize(x, { scales: [1.6], mode: 'linear' }));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 5], 5) }, wrt: [x] });
  });

  it.each([
    ['Upsample (opset 9) nearest', 9, 'Upsample', 'nearest'],
    ['Resize (opset 10) nearest', 10, 'Resize', 'nearest'],
    ['Resize (opset 10) linear', 10, 'Resize', 'linear'],
  ] as const)('%s', async (_label, opset, op, mode) => {
    const b = new GraphBuilder({ opset });
    const x = b.input('x', ['batch', 2, 3, 3]);
    const scales = b.constFloat([1, 1, 2.5, 2], [4]);
    b.output(b.node(op, [x, scales], { mode: { type: 'string', value: mode } }, { shapes: [['batch', 2, 7, 6]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 3, 3], 6) }, wrt: [x] });
  });

  it('refuses cubic mode with a ModelError naming the op', () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 1, 3, 3]);
    const scales = b.constFloat([1, 1, 2, 2], [4]);
    b.output(b.node('Resize', [x, '', scales], { mode: { type: 'string', value: 'cubic' } })[0]!);
    expect(() => backwardModel(b.build(), [x])).toThrow(/Resize.*cubic/s);
  });
});

describe('ConvTranspose gradients vs finite differences', () => {
  const cases: [string, Parameters<GraphBuilder['convTranspose']>[1], number[]][] = [
    ['stride 2, kernel 2', { filters: 3, kernel: 2, strides: 2 }, [2, 2, 3, 3]],
    ['stride 2, kernel 3, pads 1, output_padding 1', { filters: 2, kernel: 3, strides: 2, pads: 1, outputPadding: 1 }, [2, 3, 3, 3]],
    ['stride 1, kernel 3, asymmetric pads', { filters: 2, kernel: 3, pads: [0, 1, 2, 0] }, [1, 2, 4, 3]],
    ['dilation 2, stride 2', { filters: 2, kernel: 2, strides: 2, dilations: 2 }, [1, 2, 3, 3]],
    ['groups 2', { filters: 4, kernel: 3, strides: 2, group: 2 }, [1, 4, 3, 3]],
    ['depthwise (group = channels), no bias', { filters: 3, kernel: 2, strides: 2, group: 3, bias: false }, [2, 3, 2, 3]],
    ['1-D', { filters: 2, kernel: 3, strides: 2 }, [2, 2, 4]],
  ];
  for (const [label, options, dims] of cases) {
    it(label, async () => {
      const b = new GraphBuilder({ seed: 3 });
      const x = b.input('x', ['batch', ...dims.slice(1)]);
      b.output(b.convTranspose(x, { ...options, name: 'up' }));
      const model = b.build();
      const wrt = [x, 'up/weight', ...(options.bias === false ? [] : ['up/bias'])];
      await checkRule({ model, feeds: { [x]: randomFeed(dims, 7) }, wrt, eps: 1e-2 });
    });
  }

  it.each(['SAME_UPPER', 'SAME_LOWER'])('auto_pad %s', async (autoPad) => {
    const b = new GraphBuilder({ seed: 4 });
    const x = b.input('x', ['batch', 2, 3, 3]);
    const w = b.constFloat(Array.from({ length: 2 * 2 * 9 }, (_, i) => Math.sin(i)), [2, 2, 3, 3], 'w');
    b.output(b.node('ConvTranspose', [x, w], { strides: { type: 'ints', value: [2, 2] }, auto_pad: { type: 'string', value: autoPad } }, { shapes: [['batch', 2, 6, 6]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 3, 3], 8) }, wrt: [x, w] });
  });

  it('output_shape', async () => {
    const b = new GraphBuilder({ seed: 5 });
    const x = b.input('x', ['batch', 2, 3, 3]);
    const w = b.constFloat(Array.from({ length: 2 * 1 * 9 }, (_, i) => Math.cos(i)), [2, 1, 3, 3], 'w');
    b.output(b.node('ConvTranspose', [x, w], { strides: { type: 'ints', value: [2, 2] }, output_shape: { type: 'ints', value: [6, 5] } }, { shapes: [['batch', 1, 6, 5]] })[0]!);
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 2, 3, 3], 9) }, wrt: [x, w] });
  });
});
