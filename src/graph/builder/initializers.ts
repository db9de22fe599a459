/**
 * Weight initialisers for the builder. Each is a pure function of its info record and the seeded
 * generator handed in, so a built model is a function of its seed.
 */
import type { Rng } from '../../core/rng.js';

/** What a parameter is for; initialisers pick a distribution by role. */
export type ParameterRole = 'weight' | 'bias' | 'scale' | 'shift' | 'mean' | 'variance';

/** Everything an initialiser may look at when filling one parameter tensor. */
export interface InitializerInfo {
  /** Full tensor name, e.g. `mixed3/branch1x1/conv/weight`. */
  readonly name: string;
  readonly dims: readonly number[];
  readonly role: ParameterRole;
  /** Inputs feeding one output unit (in-channels / groups x kernel area), for scaled initialisers. */
  readonly fanIn: number;
  /** Output units fed by one input (out-channels / groups x kernel area). */
  readonly fanOut: number;
  /** A generator forked from the builder's seed by the tensor name (order-independent). */
  readonly rng: Rng;
}

/** Returns the values of one parameter tensor (length = product of dims). */
export type InitializerFn = (info: InitializerInfo) => Float32Array;

function constantFill(info: InitializerInfo, value: number): Float32Array {
  return new Float32Array(info.dims.reduce((a, b) => a * b, 1)).fill(value);
}

/** He (Kaiming) normal for weights, std = sqrt(2 / fanIn); zeros for biases, shifts and means; ones for scales and variances. */
export const heNormal: InitializerFn = (info) => {
  switch (info.role) {
    case 'weight':
      return info.rng.fillNormal(new Float32Array(info.dims.reduce((a, b) => a * b, 1)), 0, Math.sqrt(2 / Math.max(1, info.fanIn))) as Float32Array;
    case 'scale':
    case 'variance':
      return constantFill(info, 1);
    default:
      return constantFill(info, 0);
  }
};

/** Glorot (Xavier) uniform for weights, limit = sqrt(6 / (fanIn + fanOut)); other roles as `heNormal`. */
export const glorotUniform: InitializerFn = (info) => {
  if (info.role !== 'weight') return heNormal(info);
  const limit = Math.sqrt(6 / Math.max(1, info.fanIn + info.fanOut));
  const out = new Float32Array(info.dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = (2 * info.rng.uniform() - 1) * limit;
  return out;
};
