import { expect } from 'vitest';
import { readOracleJson } from './oracle.js';

/** An oracle array: `{dtype, shape, b64}` (see ../shared/oracle/README.md). */
export interface EncodedArray {
  dtype: string;
  shape: number[];
  b64: string;
}

/** The fields of saliency.json's cases that the engine and autodiff tests compare. */
export interface SaliencyOracleCase {
  name: string;
  input_nchw: EncodedArray;
  logits: number[];
  target: number;
  gradient_nchw: EncodedArray;
  gradcam_layer_activation_nchw: EncodedArray;
  gradcam_layer_gradient_nchw: EncodedArray;
  guided_backprop_nchw: EncodedArray;
}

/** The oracle's Grad-CAM tensor: the Concat output of block mixed1 of tiny_inception.onnx. */
export const mixed1Tensor = '/n/mixed1/Concat_output_0';

/** The cases of ../shared/oracle/saliency/saliency.json. */
export function saliencyOracleCases(): SaliencyOracleCase[] {
  return readOracleJson<{ cases: SaliencyOracleCase[] }>('saliency/saliency.json').cases;
}

/** max |ours - reference| / max |reference|: the relative error of a whole array (lengths must agree). */
export function relativeError(ours: ArrayLike<number>, reference: ArrayLike<number>): number {
  expect(ours.length).toBe(reference.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - reference[i]!));
    maxRef = Math.max(maxRef, Math.abs(reference[i]!));
  }
  return maxDiff / maxRef;
}
