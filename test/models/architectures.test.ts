import { describe, expect, it } from 'vitest';
import { createGraphSession } from '../../src/engine/training-session.js';
import { backboneParameterCount, parameterCount } from '../../src/models/architecture.js';
import { buildDenseNet121 } from '../../src/models/architectures/densenet121.js';
import { buildInceptionV3 } from '../../src/models/architectures/inception-v3.js';
import { buildRetinaNet } from '../../src/models/architectures/retinanet.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildUnet } from '../../src/models/architectures/unet.js';
import { anchorsPerCell, generateAnchors } from '../../src/models/detection/anchors.js';
import { architectureInfo } from '../../src/models/registry.js';
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

describe('small CNN, U-Net, RetinaNet', () => {
  it('small CNN: logits [N, 2], Grad-CAM on block5', async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4 });
    expect((await forward(built)).dims).toEqual([2, 2]);
    expect(built.camLayer).toBe('block5');
  });

  it('small CNN with output stride 8: an 8x8 Grad-CAM layer at 64 px, 4x4 by default', async () => {
    const camSize = async (built: BuiltModel) => {
      const session = await createGraphSession({ ...built.model, graph: { ...built.model.graph, outputs: [{ name: built.camLayer!, elemType: 1, shape: undefined }] } }, { threads: 1 });
      const out = await session.run({ [built.inputName]: { data: new Float32Array(64 * 64).fill(0.1), dims: [1, 1, 64, 64] } });
      await session.dispose();
      return out[built.camLayer!]!.dims.slice(2);
    };
    expect(await camSize(buildSmallCnn({ inputSize: 64, width: 4, outputStride: 8 }))).toEqual([8, 8]);
    expect(await camSize(buildSmallCnn({ inputSize: 64, width: 4 }))).toEqual([4, 4]);
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

  it('builds the same weights from the same seed and different ones from another', () => {
    const a = buildSmallCnn({ inputSize: 32, seed: 4 }).model.graph.initializers;
    const b = buildSmallCnn({ inputSize: 32, seed: 4 }).model.graph.initializers;
    const c = buildSmallCnn({ inputSize: 32, seed: 5 }).model.graph.initializers;
    expect(a.map((t) => Array.from(t.data as Float32Array))).toEqual(b.map((t) => Array.from(t.data as Float32Array)));
    expect(a[0]!.data).not.toEqual(c[0]!.data);
  });

  it('Keras defaults: Glorot-uniform kernels within the limit, zero bias, BN gamma 1, beta 0, mean 0, variance 1', () => {
    const built = buildSmallCnn({ inputSize: 32, initializer: 'keras' });
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
