/**
 * The oracle: tiny_inception.onnx with logits, input gradients, Grad-CAM activation and gradient at the
 * Concat of block mixed1, and guided-backprop gradients computed by PyTorch autograd (saliency.json).
 * Error measure: max |ours - reference| / max |reference| per array, required <= 1e-4.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { probeShapes } from '../../../src/engine/shape-probe.js';
import { differentiate, type ShapeTable } from '../../../src/graph/autodiff/differentiate.js';
import { decodeModel, encodeModel } from '../../../src/graph/onnx-io.js';
import { inferShapes } from '../../../src/graph/shapes.js';
import { decodeArray, oraclePath } from '../../helpers/oracle.js';
import { mixed1Tensor, relativeError, type SaliencyOracleCase, saliencyOracleCases } from '../../helpers/saliency-oracle.js';

const LAYER = mixed1Tensor;
const model = decodeModel(readFileSync(oraclePath('saliency/tiny_inception.onnx')));
const cases = saliencyOracleCases();

async function run(shapes: ShapeTable | undefined, guided: boolean, rows: readonly SaliencyOracleCase[]) {
  const result = differentiate(model, { output: 'logits', inputs: ['input'], tensors: guided ? [] : [LAYER], mode: { guided }, ...(shapes ? { shapes } : {}) });
  const session = await ort.InferenceSession.create(encodeModel(result.model), { intraOpNumThreads: 1 });
  const n = rows.length;
  const input = new Float32Array(n * 3 * 64 * 64);
  const seed = new Float32Array(n * 2);
  rows.forEach((c, i) => {
    input.set(decodeArray(c.input_nchw).data as Float32Array, i * 3 * 64 * 64);
    seed[i * 2 + c.target] = 1;
  });
  const out = await session.run({ input: new ort.Tensor('float32', input, [n, 3, 64, 64]), [result.seedInput]: new ort.Tensor('float32', seed, [n, 2]) });
  await session.release();
  return { result, out };
}

const errors: Record<string, number> = {};

describe('oracle: tiny_inception vs PyTorch autograd', () => {
  for (const source of ['static inference', 'probe'] as const) {
    it(`logits, input gradient, Grad-CAM at mixed1 and guided backprop within 1e-4 (shapes from ${source})`, async () => {
      const shapes = source === 'probe' ? await probeShapes(model, [1, 3, 64, 64]) : inferShapes(model);
      expect(shapes.get(LAYER)?.dims).toEqual(['batch', 20, 16, 16]);
      const plain = await run(shapes, false, cases);
      const guided = await run(shapes, true, cases);
      const per = 3 * 64 * 64;
      const camSize = 20 * 16 * 16;
      cases.forEach((c, i) => {
        const logits = (plain.out.logits!.data as Float32Array).subarray(i * 2, i * 2 + 2);
        const record = (key: string, err: number) => {
          errors[`${key}`] = Math.max(errors[key] ?? 0, err);
          expect(err, `${c.name} ${key}`).toBeLessThanOrEqual(1e-4);
        };
        record('logits', relativeError(logits, c.logits));
        record('input gradient', relativeError((plain.out[plain.result.gradients.input!]!.data as Float32Array).subarray(i * per, (i + 1) * per), decodeArray(c.gradient_nchw).data));
        record('mixed1 activation', relativeError((plain.out[plain.result.activations[LAYER]!]!.data as Float32Array).subarray(i * camSize, (i + 1) * camSize), decodeArray(c.gradcam_layer_activation_nchw).data));
        record('mixed1 gradient', relativeError((plain.out[plain.result.gradients[LAYER]!]!.data as Float32Array).subarray(i * camSize, (i + 1) * camSize), decodeArray(c.gradcam_layer_gradient_nchw).data));
        record('guided backprop', relativeError((guided.out[guided.result.gradients.input!]!.data as Float32Array).subarray(i * per, (i + 1) * per), decodeArray(c.guided_backprop_nchw).data));
      });
    });
  }

  it('batched equals unbatched', async () => {
    const batched = await run(undefined, false, cases);
    const per = 3 * 64 * 64;
    for (let i = 0; i < cases.length; i++) {
      const single = await run(undefined, false, [cases[i]!]);
      const a = (batched.out[batched.result.gradients.input!]!.data as Float32Array).subarray(i * per, (i + 1) * per);
      const b = single.out[single.result.gradients.input!]!.data as Float32Array;
      expect(relativeError(a, b)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('reports the errors reached', () => {
    // Printed for the record (the note); each is already asserted above.
    console.log('oracle relative errors:', JSON.stringify(errors));
  });
});
