/** The engine's errors: each is typed, carries a stable code, and says what to do. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../src/core/batch.js';
import { ModelError, UsageError } from '../../src/core/errors.js';
import { loadOnnxModel, type OnnxModel } from '../../src/engine/index.js';
import { DataType } from '../../src/graph/ir.js';
import { convModel, dynamicTinyInception, tinyInceptionPath, vectorModel } from './models.js';

async function loadError(...args: Parameters<typeof loadOnnxModel>): Promise<unknown> {
  try {
    const m = await loadOnnxModel(...args);
    await m.dispose();
  } catch (e) {
    return e;
  }
  throw new Error('expected loadOnnxModel to fail');
}

describe('loadOnnxModel errors', () => {
  it('names a missing file', async () => {
    const e = await loadError('/nonexistent/model.onnx');
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('model-unreadable');
    expect((e as Error).message).toContain('/nonexistent/model.onnx');
  });

  it('refuses bytes that are not ONNX', async () => {
    const e = await loadError(new TextEncoder().encode('definitely not a protobuf model'));
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toMatch(/^onnx-/);
  });

  it('refuses a model whose input is not a 4-D image', async () => {
    const e = await loadError(vectorModel());
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('model-input-not-image');
    expect((e as Error).message).toContain('[n, 10]');
  });

  it('refuses a non-float image input', async () => {
    const e = await loadError(convModel(['n', 3, 8, 8], DataType.UINT8));
    expect((e as ModelError).code).toBe('model-input-not-image');
  });

  it('points a channels-last input to tf2onnx --inputs-as-nchw', async () => {
    const e = await loadError(convModel(['n', 8, 8, 3]));
    expect((e as ModelError).code).toBe('model-input-nhwc');
    expect((e as ModelError).hint).toContain('--inputs-as-nchw');
  });

  it('asks for inputSize when the spatial size is dynamic, and works with it', async () => {
    const bytes = dynamicTinyInception();
    const e = await loadError(bytes);
    expect((e as ModelError).code).toBe('model-input-size-needed');
    expect((e as ModelError).hint).toContain('inputSize');
    const model = await loadOnnxModel(bytes, { inputSize: [64, 64], threads: 1 });
    try {
      expect(model.info.inputShape).toEqual([3, 64, 64]);
      // Another size builds its own sessions; layers follow the size.
      const big = makeBatch(new Float32Array(2 * 3 * 96 * 96).fill(0.25), [2, 3, 96, 96]);
      const result = await model.layerGradients(big, [0, 1], ['mixed1']);
      expect(result.gradients['mixed1']!.shape).toEqual([2, 20, 24, 24]);
      expect((await model.layersAt([96, 96])).layers.find((l) => l.name === model.info.defaultCamLayer)!.shape).toEqual([20, 24, 24]);
      expect(model.stats().builds.map((b) => `${b.variant}@${b.imageSize.join('x')}`)).toContain('layers:/n/mixed1/Concat_output_0@96x96');
    } finally {
      await model.dispose();
    }
  });

  it('refuses an inputSize that contradicts a fixed model size', async () => {
    const e = await loadError(tinyInceptionPath, { inputSize: [32, 32] });
    expect((e as ModelError).code).toBe('model-input-size-mismatch');
  });

  it('lists every unsupported op at once', async () => {
    const e = await loadError(convModel(['n', 3, 8, 8], DataType.FLOAT, ['Erf', 'Sin', 'Erf']));
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).toContain('Erf');
    expect((e as Error).message).toContain('Sin');
  });

  it('loads an unsupported model for prediction when gradients are not checked', async () => {
    const model = await loadOnnxModel(convModel(['n', 3, 8, 8], DataType.FLOAT, ['Sin']), { checkGradients: false, threads: 1 });
    try {
      const logits = await model.predict(makeBatch(new Float32Array(3 * 64).fill(1), [1, 3, 8, 8]));
      expect(logits.shape).toEqual([1, 2]);
    } finally {
      await model.dispose();
    }
  });

  it('rejects bad options', async () => {
    expect(await loadError(tinyInceptionPath, { threads: 0 })).toBeInstanceOf(UsageError);
    expect(await loadError(tinyInceptionPath, { memoryBudgetMiB: -1 })).toBeInstanceOf(UsageError);
    const lanes = await loadError(tinyInceptionPath, { lanes: 1.5 });
    expect(lanes).toBeInstanceOf(UsageError);
    expect((lanes as Error).message).toContain('lanes');
  });
});

describe('call errors', () => {
  let model: OnnxModel;
  const batch = makeBatch(new Float32Array(2 * 3 * 64 * 64).fill(0.1), [2, 3, 64, 64]);
  beforeAll(async () => {
    model = await loadOnnxModel(readFileSync(tinyInceptionPath), { threads: 1, name: 'tiny' });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('checks targets', async () => {
    const codes = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof UsageError ? e.code : String(e)));
    expect(await codes(model.inputGradients(batch, [0]))).toBe('targets-length');
    expect(await codes(model.inputGradients(batch, [0, 2]))).toBe('targets-value');
    expect(await codes(model.guidedGradients(batch, [0, -1]))).toBe('targets-value');
    expect(await codes(model.layerGradients(batch, [0.5, 1], ['mixed1']))).toBe('targets-value');
    expect(await codes(model.inputGradients(batch, Int32Array.from([1, 0])))).toBe('ok');
  });

  it('names an unknown layer and suggests real ones', async () => {
    const e = await model.layerGradients(batch, [0, 1], ['mixed9']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('model-layer-unknown');
    expect((e as Error).message).toContain('mixed9');
    await expect(model.layerGradients(batch, [0, 1], [])).rejects.toBeInstanceOf(UsageError);
  });

  it('checks the batch against the model input', async () => {
    await expect(model.predict(makeBatch(new Float32Array(64 * 64), [1, 1, 64, 64]))).rejects.toMatchObject({ code: 'batch-channels' });
    await expect(model.predict(makeBatch(new Float32Array(3 * 32 * 32), [1, 3, 32, 32]))).rejects.toMatchObject({ code: 'batch-image-size' });
  });

  it('refuses calls after dispose, and dispose twice is fine', async () => {
    const m = await loadOnnxModel(tinyInceptionPath, { threads: 1, checkGradients: false });
    await m.dispose();
    await m.dispose();
    await expect(m.predict(batch)).rejects.toMatchObject({ code: 'model-disposed' });
  });
});
