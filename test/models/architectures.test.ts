import { describe, expect, it } from 'vitest';
import { createGraphSession } from '../../src/engine/training-session.js';
import { backboneParameterCount, parameterCount } from '../../src/models/architecture.js';
import { buildDenseNet121 } from '../../src/models/architectures/densenet121.js';
import { buildInceptionV3 } from '../../src/models/architectures/inception-v3.js';
import { buildRetinaNet } from '../../src/models/architectures/retinanet.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildSmallResNet } from '../../src/models/architectures/small-resnet.js';
import { buildUnet } from '../../src/models/architectures/unet.js';
import { anchorsPerCell, generateAnchors } from '../../src/models/detection/anchors.js';
import { architectureInfo, buildArchitecture } from '../../src/models/registry.js';
import type { BuiltModel } from '../../src/models/architecture.js';
import { parameterRecordsOf } from '../../src/models/imported.js';

async function forward(built: BuiltModel, n = 2): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await createGraphSession(built.model, { threads: 1 });
  const [h, w] = built.inputSize;
  const c = built.preprocessing.channels;
  const out = await session.run({ [built.inputName]: { data: new Float32Array(n * c * h * w).fill(0.1), dims: [n, c, h, w] } });
  await session.dispose();
  return out[built.outputName]!;
}

/** Spatial size of the Grad-CAM layer's activation on a `size` x `size` input. */
async function camSize(built: BuiltModel, size: number): Promise<readonly number[]> {
  const session = await createGraphSession({ ...built.model, graph: { ...built.model.graph, outputs: [{ name: built.camLayer!, elemType: 1, shape: undefined }] } }, { threads: 1 });
  const c = built.preprocessing.channels;
  const out = await session.run({ [built.inputName]: { data: new Float32Array(c * size * size).fill(0.1), dims: [1, c, size, size] } });
  await session.dispose();
  return out[built.camLayer!]!.dims.slice(2);
}

describe('InceptionV3 (Keras layout)', () => {
  const built = buildInceptionV3({ inputSize: 75, seed: 1 });

  it('has exactly the Keras parameter count without the head (BN statistics included, no gamma)', () => {
    expect(backboneParameterCount(built)).toBe(21_802_784);
    expect(parameterCount(built.parameters)).toBe(21_802_784 + 2048 * 2 + 2);
  });

  it('names blocks mixed0 ... mixed10 and lists randomization blocks logits, mixed10 ... mixed1', () => {
    expect(built.blocks.map((b) => b.name)).toEqual(['logits', ...Array.from({ length: 10 }, (_, k) => `mixed${10 - k}`)]);
    const outputs = new Set(built.model.graph.nodes.flatMap((n) => n.outputs));
    for (let k = 0; k <= 10; k++) expect(outputs.has(`mixed${k}`)).toBe(true);
    expect(built.camLayer).toBe('mixed10');
    // Every parameter belongs to exactly one block; the stem and mixed0 are never randomized.
    const listed = built.blocks.flatMap((b) => b.initializers);
    expect(new Set(listed).size).toBe(listed.length);
    expect(built.parameters.filter((p) => !listed.includes(p.name)).every((p) => p.block === 'stem' || p.block === 'mixed0')).toBe(true);
  });

  it('has Keras-style convolutions: no bias, BatchNorm epsilon 1e-3 without gamma', () => {
    expect(built.parameters.some((p) => p.role === 'bias' && p.block !== 'logits')).toBe(false);
    expect(built.parameters.some((p) => p.role === 'scale')).toBe(false);
    const bn = built.model.graph.nodes.find((n) => n.opType === 'BatchNormalization')!;
    expect(bn.attributes.epsilon).toEqual({ type: 'float', value: Math.fround(1e-3) });
  });

  it('runs forward at its minimum size', async () => {
    const out = await forward(built);
    expect(out.dims).toEqual([2, 2]);
    expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
  });

  it('refuses inputs smaller than 75', () => {
    expect(() => buildInceptionV3({ inputSize: 60 })).toThrow(expect.objectContaining({ code: 'model-input-too-small' }));
  });
});

describe('DenseNet121', () => {
  const built = buildDenseNet121({ inputSize: 32, seed: 1 });

  it('has exactly the Keras parameter count without the head', () => {
    expect(backboneParameterCount(built)).toBe(7_037_504);
  });

  it('names dense blocks and transitions, top-down', () => {
    expect(built.blocks.map((b) => b.name)).toEqual(['logits', 'denseblock4', 'transition3', 'denseblock3', 'transition2', 'denseblock2', 'transition1', 'denseblock1']);
  });

  it('runs forward', async () => {
    expect((await forward(built)).dims).toEqual([2, 2]);
  });
});

describe('small ResNet', () => {
  const built = buildSmallResNet({ inputSize: 32, width: 4, seed: 1 });

  it('has the parameter count of its layout at the default width', () => {
    // Width 16: conv kernels 305,808 (stem 144; layer1 2 x 2,304; layer2 4,608 + 9,216 + 512 projection;
    // layer3 18,432 + 36,864 + 2,048; layer4 73,728 + 147,456 + 8,192), 45 x 16 BatchNorm channels x 4 values
    // = 2,880, head 128 x 2 + 2 = 258.
    expect(parameterCount(buildSmallResNet({ inputSize: 32 }).parameters)).toBe(308_946);
  });

  it('is residual: one basic block per stage joined by Add, 1x1 projections where the shape changes, strided convs instead of pooling', () => {
    const nodes = built.model.graph.nodes;
    expect(nodes.filter((n) => n.opType === 'Add').map((n) => n.name)).toEqual([1, 2, 3, 4].map((k) => `layer${k}/block1/add`));
    // layer1 keeps the stem's width and resolution (identity shortcut); layer2 and layer3 halve the map, layer4 doubles the channels.
    expect(nodes.filter((n) => n.opType === 'Conv' && n.name.endsWith('downsample')).map((n) => n.name)).toEqual([2, 3, 4].map((k) => `layer${k}/block1/downsample`));
    expect(nodes.some((n) => n.opType === 'MaxPool' || n.opType === 'AveragePool')).toBe(false);
    // `depth` stacks basic blocks per stage; only each stage's first block changes shape.
    const deeper = buildSmallResNet({ inputSize: 16, width: 2, depth: 2 }).model.graph.nodes;
    expect(deeper.filter((n) => n.opType === 'Add')).toHaveLength(8);
    expect(deeper.filter((n) => n.name.endsWith('downsample'))).toHaveLength(3);
    expect(built.preprocessing).toEqual({ channels: 1, normalization: 'minus-one-one' });
  });

  it('lists randomization blocks logits, layer4 ... layer1, conv1, which own every parameter once; Grad-CAM on layer4', () => {
    expect(built.blocks.map((b) => b.name)).toEqual(['logits', 'layer4', 'layer3', 'layer2', 'layer1', 'conv1']);
    const listed = built.blocks.flatMap((b) => b.initializers);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(built.parameters.map((p) => p.name).sort());
    expect(built.camLayer).toBe('layer4');
  });

  it('runs forward at any multiple of its output stride 8, with a size/8 Grad-CAM map', async () => {
    for (const size of [8, 24, 64]) {
      const model = buildSmallResNet({ inputSize: size, width: 4, seed: 2 });
      const out = await forward(model);
      expect(out.dims).toEqual([2, 2]);
      expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
      expect(await camSize(model, size)).toEqual([size / 8, size / 8]);
    }
  });

  it('refuses an input size that is not a multiple of 8, with a hint, and bad options', () => {
    expect(() => buildSmallResNet({ inputSize: 60 })).toThrow(expect.objectContaining({ code: 'model-input-size', hint: expect.stringContaining('64') }));
    expect(() => buildSmallResNet({ inputSize: 4 })).toThrow(expect.objectContaining({ code: 'model-input-size' }));
    expect(() => buildSmallResNet({ width: 0 })).toThrow(expect.objectContaining({ code: 'model-option' }));
    expect(() => buildSmallResNet({ depth: 0 })).toThrow(expect.objectContaining({ code: 'model-option' }));
    expect(() => buildSmallResNet({ channels: 0 })).toThrow(expect.objectContaining({ code: 'model-option' }));
  });

  it('is in the registry under its id, at 128 px by default', () => {
    expect(architectureInfo('small_resnet').id).toBe('small-resnet');
    expect(buildArchitecture('small-resnet', { seed: 1 }).inputSize).toEqual([128, 128]);
  });
});

describe('small CNN, U-Net, RetinaNet', () => {
  it('small CNN: logits [N, 2], Grad-CAM on block5', async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4 });
    expect((await forward(built)).dims).toEqual([2, 2]);
    expect(built.camLayer).toBe('block5');
  });

  it('small CNN with output stride 8: an 8x8 Grad-CAM layer at 64 px, 4x4 by default', async () => {
    expect(await camSize(buildSmallCnn({ inputSize: 64, width: 4, outputStride: 8 }), 64)).toEqual([8, 8]);
    expect(await camSize(buildSmallCnn({ inputSize: 64, width: 4 }), 64)).toEqual([4, 4]);
    expect(buildSmallCnn({ inputSize: 8, width: 4, outputStride: 8 }).settings).toMatchObject({ outputStride: 8 });
    expect(() => buildSmallCnn({ inputSize: 8 })).toThrow(expect.objectContaining({ code: 'model-input-too-small' }));
    expect(() => buildSmallCnn({ inputSize: 64, outputStride: 4 as never })).toThrow(expect.objectContaining({ code: 'model-option' }));
  });

  it('U-Net: a sigmoid probability map of the input size', async () => {
    const built = buildUnet({ inputSize: 32, width: 4, depth: 3 });
    const out = await forward(built);
    expect(out.dims).toEqual([2, 1, 32, 32]);
    expect(Array.from(out.data).every((v) => v > 0 && v < 1)).toBe(true);
    expect(() => buildUnet({ inputSize: 30 })).toThrow(expect.objectContaining({ code: 'model-option' }));
  });

  it('RetinaNet: one row per anchor with class logits and 4 box deltas', async () => {
    const built = buildRetinaNet({ inputSize: 64 });
    const out = await forward(built);
    const anchors = generateAnchors(built.settings.anchors as never, 64, 64);
    expect(anchors.length).toBe((8 * 8 + 4 * 4 + 2 * 2) * anchorsPerCell(built.settings.anchors as never));
    expect(out.dims).toEqual([2, anchors.length, 5]);
    // The class prior starts every score near 0.01.
    expect(1 / (1 + Math.exp(-out.data[0]!))).toBeLessThan(0.05);
  });
});

describe('registry and initialisers', () => {
  it('accepts spelling variants and refuses unknown names', () => {
    expect(architectureInfo('Inception_V3').id).toBe('inceptionv3');
    expect(() => architectureInfo('vgg16')).toThrow(expect.objectContaining({ code: 'model-unknown-architecture' }));
  });

  const smallBuilders = [
    ['small CNN', buildSmallCnn],
    ['small ResNet', buildSmallResNet],
  ] as const;

  it.each(smallBuilders)('%s: builds the same weights from the same seed and different ones from another', (_, build) => {
    const a = build({ inputSize: 32, seed: 4 }).model.graph.initializers;
    const b = build({ inputSize: 32, seed: 4 }).model.graph.initializers;
    const c = build({ inputSize: 32, seed: 5 }).model.graph.initializers;
    expect(a.map((t) => Array.from(t.data as Float32Array))).toEqual(b.map((t) => Array.from(t.data as Float32Array)));
    expect(a[0]!.data).not.toEqual(c[0]!.data);
  });

  it.each(smallBuilders)('%s: Keras defaults: Glorot-uniform kernels within the limit, zero bias, BN gamma 1, beta 0, mean 0, variance 1', (_, build) => {
    const built = build({ inputSize: 32, initializer: 'keras' });
    const byName = new Map(built.model.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
    for (const p of built.parameters) {
      const data = byName.get(p.name)!;
      if (p.role === 'weight') {
        const limit = Math.sqrt(6 / (p.fanIn + p.fanOut));
        const largest = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(largest).toBeLessThanOrEqual(limit);
        expect(largest).toBeGreaterThan(limit * 0.8);
      } else {
        const expected = p.role === 'scale' || p.role === 'variance' ? 1 : 0;
        expect(Array.from(data).every((v) => v === expected)).toBe(true);
      }
    }
  });

  it('reads parameter roles of any ONNX graph as the builder recorded them', () => {
    const built = buildSmallCnn({ inputSize: 32 });
    const read = parameterRecordsOf(built.model);
    const facts = (p: { name: string; role: string; fanIn: number; fanOut: number }) => [p.name, p.role, p.role === 'weight' ? [p.fanIn, p.fanOut] : []];
    expect(read.map(facts)).toEqual(built.parameters.map(facts));
  });
});
