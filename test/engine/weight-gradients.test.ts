import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { loadOnnxModel } from '../../src/engine/onnx-model.js';
import type { Model } from '../../src/graph/ir.js';
import { encodeModel } from '../../src/graph/onnx-io.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

/** The model with one element of one initializer moved by `delta`. */
function nudged(model: Model, name: string, index: number, delta: number): Model {
  const initializers = model.graph.initializers.map((t) => {
    if (t.name !== name) return t;
    const data = Float32Array.from(t.data as Float32Array);
    data[index]! += delta;
    return { ...t, data };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}

describe('weightGradients', () => {
  it('gives d(sum of target logits)/dW that central differences confirm, conv weights included', async () => {
    // 8- and 16-channel convs: as constants onnxruntime runs them, and their flipped input-gradient
    // convs, on its NCHWc kernels.
    const built = buildSmallCnn({ inputSize: 16, width: 8, seed: 2, channels: 3 });
    const batch = { data: random(2 * 3 * 16 * 16, 5), shape: [2, 3, 16, 16] as [number, number, number, number] };
    const targets = [0, 1];
    const model = await loadOnnxModel(encodeModel(built.model), { threads: 2 });
    const r = await model.weightGradients(batch, targets, { training: false });
    await model.dispose();
    const objective = async (m: Model) => {
      const loaded = await loadOnnxModel(encodeModel(m), { threads: 1 });
      try {
        const logits = await loaded.predict(batch);
        return targets.reduce((s, t, row) => s + logits.data[row * logits.shape[1] + t]!, 0);
      } finally {
        await loaded.dispose();
      }
    };
    const weights = built.model.graph.initializers.filter((t) => t.dims.length === 4).map((t) => t.name);
    expect(weights.length).toBeGreaterThanOrEqual(3);
    const h = 1e-2;
    for (const name of weights.slice(1, 4)) {
      const g = r.gradients[name]!;
      expect(g.dims).toEqual(built.model.graph.initializers.find((t) => t.name === name)!.dims);
      for (const index of [0, Math.floor(g.data.length / 2)]) {
        const fd = ((await objective(nudged(built.model, name, index, h))) - (await objective(nudged(built.model, name, index, -h)))) / (2 * h);
        expect(Math.abs(g.data[index]! - fd), `${name}[${index}]: ${g.data[index]} vs ${fd}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
