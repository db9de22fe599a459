/**
 * A tiny analytic `ExplainableModel` for property tests: x (C x H x W) is average-pooled 2x2 into the
 * layer `pool` (P), and three logits are functions of P with fixed weights w_t:
 *   z0 = sum w0 P (linear), z1 = 0.5 sum w1 P^2, z2 = sum w2 sin(3P).
 * Gradients are exact; "guided" gradients are the input gradients with negative values zeroed.
 */
import { argmaxRows, type Batch, type Logits, type TargetRequest, type Targets, makeBatch } from '../../../src/core/batch.js';
import type { ExplainableModel, GradientResult, LayerGradientResult, ModelInfo } from '../../../src/core/types.js';

export interface AnalyticModel extends ExplainableModel {
  /** Model calls so far, by pass. */
  readonly calls: Record<'predict' | 'inputGradients' | 'layerGradients' | 'guidedGradients', number>;
  /** Largest batch seen in one call. */
  readonly largestBatch: () => number;
}

export function analyticModel(channels = 3, height = 16, width = 16, name = 'analytic'): AnalyticModel {
  const ph = height >> 1;
  const pw = width >> 1;
  const pooled = channels * ph * pw;
  const weights = [0, 1, 2].map((t) =>
    Float64Array.from({ length: pooled }, (_, k) => Math.cos(0.7 * k + 1.3 * t) + (t === 1 ? 0.2 : 0)),
  );
  const info: ModelInfo = {
    name,
    inputShape: [channels, height, width],
    numClasses: 3,
    layers: [{ name: 'pool', shape: [channels, ph, pw] }],
    defaultCamLayer: 'pool',
  };
  const calls = { predict: 0, inputGradients: 0, layerGradients: 0, guidedGradients: 0 };
  let largest = 0;

  const pool = (batch: Batch, n: number): Float64Array => {
    const out = new Float64Array(n * pooled);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const k = i * pooled + (c * ph + (y >> 1)) * pw + (x >> 1);
            out[k]! += batch.data[((i * channels + c) * height + y) * width + x]! / 4;
          }
        }
      }
    }
    return out;
  };
  const logitOf = (t: number, p: number): number => (t === 0 ? p : t === 1 ? 0.5 * p * p : Math.sin(3 * p));
  const slopeOf = (t: number, p: number): number => (t === 0 ? 1 : t === 1 ? p : 3 * Math.cos(3 * p));

  const logits = (p: Float64Array, n: number): Logits => {
    const data = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < 3; t++) {
        let z = 0;
        for (let k = 0; k < pooled; k++) z += weights[t]![k]! * logitOf(t, p[i * pooled + k]!);
        data[i * 3 + t] = z;
      }
    }
    return { data, shape: [n, 3] };
  };
  const poolGradient = (p: Float64Array, n: number, targets: Targets): Float32Array => {
    const g = new Float32Array(n * pooled);
    for (let i = 0; i < n; i++) {
      const t = targets[i]!;
      for (let k = 0; k < pooled; k++) g[i * pooled + k] = weights[t]![k]! * slopeOf(t, p[i * pooled + k]!);
    }
    return g;
  };
  /** 'predicted' resolved inside the pass, from the same logits, as the engine does. */
  const explained = (p: Float64Array, n: number, targets: TargetRequest): Targets => (targets === 'predicted' ? argmaxRows(logits(p, n)) : targets);
  const predictedField = (targets: TargetRequest, resolved: Targets) => (targets === 'predicted' ? { targets: Int32Array.from(resolved) } : {});
  const inputGradient = (batch: Batch, request: TargetRequest, guided: boolean): GradientResult => {
    const n = batch.shape[0];
    largest = Math.max(largest, n);
    const p = pool(batch, n);
    const targets = explained(p, n, request);
    const gp = poolGradient(p, n, targets);
    const data = new Float32Array(batch.data.length);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const v = gp[i * pooled + (c * ph + (y >> 1)) * pw + (x >> 1)]! / 4;
            data[((i * channels + c) * height + y) * width + x] = guided && v < 0 ? 0 : v;
          }
        }
      }
    }
    return { logits: logits(p, n), gradients: makeBatch(data, batch.shape), ...predictedField(request, targets) };
  };

  return {
    info,
    calls,
    largestBatch: () => largest,
    async predict(batch) {
      calls.predict++;
      return logits(pool(batch, batch.shape[0]), batch.shape[0]);
    },
    async inputGradients(batch, targets) {
      calls.inputGradients++;
      return inputGradient(batch, targets, false);
    },
    async guidedGradients(batch, targets) {
      calls.guidedGradients++;
      return inputGradient(batch, targets, true);
    },
    async layerGradients(batch, targets, layers, options): Promise<LayerGradientResult> {
      calls.layerGradients++;
      const n = batch.shape[0];
      largest = Math.max(largest, n);
      // Unknown layers are simply absent from the result (the method must notice).
      void layers;
      const p = pool(batch, n);
      const shape = [n, channels, ph, pw] as const;
      const resolved = explained(p, n, targets);
      return {
        logits: logits(p, n),
        activations: { pool: makeBatch(Float32Array.from(p), shape) },
        gradients: { pool: makeBatch(poolGradient(p, n, resolved), shape) },
        ...(options?.inputGradient ? { inputGradients: inputGradient(batch, resolved, false).gradients } : {}),
        ...predictedField(targets, resolved),
      };
    },
    async dispose() {},
  };
}

/** Deterministic test images in [-1, 1]: smooth blobs plus a ripple, different per index. */
export function testImages(n: number, channels = 3, height = 16, width = 16, offset = 0): Batch {
  const data = new Float32Array(n * channels * height * width);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const cy = height * (0.3 + 0.1 * ((i + offset) % 4));
          const cx = width * (0.6 - 0.1 * c);
          const blob = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (0.05 * height * width));
          const ripple = 0.3 * Math.sin(0.9 * x + 0.4 * y * (c + 1) + i + offset);
          data[((i * channels + c) * height + y) * width + x] = Math.max(-1, Math.min(1, 1.6 * blob - 0.8 + ripple));
        }
      }
    }
  }
  return makeBatch(data, [n, channels, height, width]);
}
