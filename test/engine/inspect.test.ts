/** Model inspection (candidate layers, default Grad-CAM layer, layer names) and fixed-batch models. */
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../src/core/batch.js';
import { loadOnnxModel } from '../../src/engine/index.js';
import { findImageInput, inspectLayout, resolveLayer } from '../../src/engine/inspect.js';
import { decodeModel } from '../../src/graph/onnx-io.js';
import { convModel, tinyInception } from './models.js';

describe('inspection', () => {
  it('lists spatial float activations and picks the map that feeds global pooling', () => {
    const model = decodeModel(convModel(['n', 3, 8, 8]));
    const input = findImageInput(model, 'conv');
    const shapes = new Map<string, number[]>([
      ['x', [1, 3, 8, 8]],
      ['c', [1, 4, 8, 8]],
      ['r', [1, 4, 8, 8]],
      ['p', [1, 4, 1, 1]],
      ['f', [1, 4]],
      ['y', [1, 2]],
    ]);
    const layout = inspectLayout(model, input, 'y', shapes);
    expect(layout.layers).toEqual([
      { name: 'c', shape: [4, 8, 8] },
      { name: 'r', shape: [4, 8, 8] },
    ]);
    expect(layout.defaultCamLayer).toBe('r');
    expect(layout.camLayerReason).toContain('GlobalAveragePool');
    expect(layout.numClasses).toBe(2);
    expect(layout.sizes).toEqual({ input: 192, total: 256 + 256 + 4 + 4 + 2, largest: 256 });
  });

  it('resolves tensor, node and block names, preferring the block output', () => {
    const model = tinyInception();
    const layers = ['/n/mixed0/Concat_output_0', '/n/mixed1/b1/relu/Relu_output_0', '/n/mixed1/Concat_output_0'].map((name) => ({
      name,
      shape: [1, 1, 1] as const,
    }));
    expect(resolveLayer(model, layers, '/n/mixed0/Concat_output_0')).toBe('/n/mixed0/Concat_output_0');
    expect(resolveLayer(model, layers, '/n/mixed1/b1/relu/Relu')).toBe('/n/mixed1/b1/relu/Relu_output_0');
    expect(resolveLayer(model, layers, 'mixed1')).toBe('/n/mixed1/Concat_output_0');
    expect(resolveLayer(model, layers, 'n/mixed0')).toBe('/n/mixed0/Concat_output_0');
    expect(() => resolveLayer(model, layers, 'Concat')).toThrow(/no 4-D activation/);
  });
});

describe('fixed-batch models', () => {
  it('run any number of rows in chunks of the fixed batch, padding the last', async () => {
    const model = await loadOnnxModel(convModel([1, 3, 8, 8]), { threads: 1 });
    try {
      const data = new Float32Array(3 * 3 * 64);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
      const batch = makeBatch(data, [3, 3, 8, 8]);
      const logits = await model.predict(batch);
      expect(logits.shape).toEqual([3, 2]);
      const grads = await model.inputGradients(batch, [0, 1, 1]);
      expect(grads.gradients.shape).toEqual([3, 3, 8, 8]);
      const one = await model.inputGradients(makeBatch(data.slice(2 * 192), [1, 3, 8, 8]), [1]);
      expect(Array.from(grads.gradients.data.subarray(2 * 192))).toEqual(Array.from(one.gradients.data));
      expect(model.stats().runs['input-gradient']!.calls).toBe(4);
    } finally {
      await model.dispose();
    }
  });
});

describe('shapes', () => {
  it('fall back to a forward run when static inference does not know an op', async () => {
    // Shrink has no static shape rule; the probe measures it.
    const model = await loadOnnxModel(convModel(['n', 3, 8, 8], undefined, ['Shrink']), { threads: 1, checkGradients: false });
    try {
      expect(model.info.layers.map((l) => l.name)).toEqual(['c', 'e0', 'r']);
      expect(model.info.layers[1]!.shape).toEqual([4, 8, 8]);
      expect(model.info.defaultCamLayer).toBe('r');
    } finally {
      await model.dispose();
    }
  });
});
