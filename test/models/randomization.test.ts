import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGraphSession } from '../../src/engine/training-session.js';
import type { Model } from '../../src/graph/ir.js';
import { decodeModel, encodeModel } from '../../src/graph/onnx-io.js';
import { buildInceptionV3 } from '../../src/models/architectures/inception-v3.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildSmallResNet } from '../../src/models/architectures/small-resnet.js';
import type { BuiltModel } from '../../src/models/architecture.js';
import { detectBlocks } from '../../src/models/block-detection.js';
import { exportableModel } from '../../src/models/describe.js';
import { randomizationStates } from '../../src/models/randomization.js';
import { oraclePath } from '../helpers/oracle.js';
import { changedInitializers } from './helpers.js';

async function logits(model: Model, size: number, channels: number): Promise<Float32Array> {
  const session = await createGraphSession(model, { threads: 1 });
  const data = new Float32Array(2 * channels * size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37);
  const out = await session.run({ input: { data, dims: [2, channels, size, size] } });
  await session.dispose();
  return out.logits!.data;
}

/** Weights that differ from their re-initialisation: a trained model's are never the initial ones. */
function perturbed(built: BuiltModel): Model {
  return {
    ...built.model,
    graph: { ...built.model.graph, initializers: built.model.graph.initializers.map((t) => (t.data instanceof Float32Array ? { ...t, data: t.data.map((v) => v + 0.01) } : t)) },
  };
}

describe('cascading randomization', () => {
  const built = buildSmallCnn({ inputSize: 32, width: 4, seed: 1 });
  const trained = perturbed(built);

  it('each state changes exactly the weights of the blocks randomized so far, cumulatively from the top', () => {
    const states = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9 })];
    expect(states.map((s) => s.name)).toEqual(['original', 'logits', 'block5', 'block4', 'block3', 'block2', 'block1']);
    for (const state of states) {
      const expected = built.blocks.filter((b) => state.randomizedBlocks.includes(b.name)).flatMap((b) => b.initializers);
      expect(changedInitializers(trained, state.model).sort()).toEqual([...expected].sort());
      expect([...state.randomizedInitializers].sort()).toEqual([...expected].sort());
    }
  });

  it('independent randomization changes one block per state', () => {
    const states = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9, mode: 'independent' })];
    for (const state of states.slice(1)) {
      const block = built.blocks.find((b) => b.name === state.name)!;
      expect(changedInitializers(trained, state.model).sort()).toEqual([...block.initializers].sort());
    }
  });

  it('re-initialises with the Keras defaults, repeatably from the seed', () => {
    const a = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9 })].pop()!;
    const b = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9 })].pop()!;
    expect(changedInitializers(a.model, b.model)).toEqual([]);
    const byName = new Map(a.model.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
    for (const p of built.parameters) {
      const values = byName.get(p.name)!;
      if (p.role === 'variance' || p.role === 'scale') expect(values.every((v) => v === 1)).toBe(true);
      if (p.role === 'bias' || p.role === 'shift' || p.role === 'mean') expect(values.every((v) => v === 0)).toBe(true);
    }
  });

  it('the fully randomized model gives different logits', async () => {
    const last = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9 })].pop()!;
    const a = await logits(trained, 32, 1);
    const b = await logits(last.model, 32, 1);
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-3)).toBe(true);
  });

  it('refuses an unknown block', () => {
    expect(() => [...randomizationStates(trained, built.blocks, built.parameters, { seed: 1, blocks: ['mixed0'] })]).toThrow(expect.objectContaining({ code: 'model-unknown-block' }));
  });

  it('InceptionV3 has the paper\'s 12 states: Original, Logits, mixed10 ... mixed1', () => {
    const inception = buildInceptionV3({ inputSize: 75 });
    const names = [...randomizationStates(inception.model, inception.blocks, inception.parameters, { seed: 1, blocks: ['logits', 'mixed10'] })].map((s) => s.name);
    expect(names).toEqual(['original', 'logits', 'mixed10']);
    expect(inception.blocks.length + 1).toBe(12);
  });
});

describe('cascading randomization of the small ResNet', () => {
  const built = buildSmallResNet({ inputSize: 32, width: 4, seed: 1 });
  const trained = perturbed(built);

  it('each state changes exactly the weights of the blocks randomized so far, down to the stem: the last state changes every weight', () => {
    const states = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9 })];
    expect(states.map((s) => s.name)).toEqual(['original', 'logits', 'layer4', 'layer3', 'layer2', 'layer1', 'conv1']);
    for (const state of states) {
      const expected = built.blocks.filter((b) => state.randomizedBlocks.includes(b.name)).flatMap((b) => b.initializers);
      expect(changedInitializers(trained, state.model).sort()).toEqual([...expected].sort());
    }
    expect(changedInitializers(trained, states[states.length - 1]!.model).sort()).toEqual(built.parameters.map((p) => p.name).sort());
  });

  it('independent randomization changes one block per state, and the logits change', async () => {
    const states = [...randomizationStates(trained, built.blocks, built.parameters, { seed: 9, mode: 'independent' })];
    for (const state of states.slice(1)) {
      const block = built.blocks.find((b) => b.name === state.name)!;
      expect(changedInitializers(trained, state.model).sort()).toEqual([...block.initializers].sort());
    }
    const a = await logits(trained, 32, 1);
    const b = await logits(states.find((s) => s.name === 'layer4')!.model, 32, 1);
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-3)).toBe(true);
  });

  it('its blocks are recovered from a saved model\'s metadata', () => {
    const detected = detectBlocks(decodeModel(encodeModel(exportableModel(built))));
    expect(detected.family).toBe('heatcheck');
    expect(detected.camLayer).toBe('layer4');
    expect(detected.blocks.map((b) => [b.name, [...b.initializers].sort()])).toEqual(built.blocks.map((b) => [b.name, [...b.initializers].sort()]));
  });
});

describe('block detection for saved and imported models', () => {
  it('recovers the blocks of a saved heatcheck model from its metadata', () => {
    const built = buildSmallCnn({ inputSize: 32, width: 4 });
    const saved = decodeModel(encodeModel(exportableModel(built)));
    const detected = detectBlocks(saved);
    expect(detected.family).toBe('heatcheck');
    expect(detected.blocks.map((b) => [b.name, [...b.initializers].sort()])).toEqual(built.blocks.map((b) => [b.name, [...b.initializers].sort()]));
  });

  it('recovers InceptionV3 blocks by the Keras mixedN concatenation names and graph topology', () => {
    const built = buildInceptionV3({ inputSize: 75 });
    const detected = detectBlocks(built.model);
    expect(detected.family).toBe('keras-inceptionv3');
    expect(detected.camLayer).toBe('mixed10');
    expect(detected.blocks.map((b) => [b.name, [...b.initializers].sort()])).toEqual(built.blocks.map((b) => [b.name, [...b.initializers].sort()]));
  });

  it('says how to give the blocks when the model is not recognised', () => {
    const model = decodeModel(readFileSync(oraclePath('saliency/tiny_inception.onnx')));
    expect(() => detectBlocks(model, 'tiny_inception.onnx')).toThrow(expect.objectContaining({ code: 'model-blocks-unknown', hint: expect.stringContaining('"randomization"') }));
  });
});
