/**
 * Optimisers updating parameters in place from gradients: Adam (Kingma & Ba 2015,
 * https://arxiv.org/abs/1412.6980; Keras defaults beta1 0.9, beta2 0.999, epsilon 1e-7) and SGD with
 * momentum (PyTorch's form: v = mu v + g, p -= lr v). Their state is plain typed arrays, for checkpoints.
 * Adam's update runs as a WebAssembly SIMD kernel in float32 (`adam-simd.ts`), with a float64 loop here
 * as the fallback.
 */
import { modelErrors } from '../messages.js';
import { AdamSimd } from './adam-simd.js';
import { WasmArena } from './wasm-arena.js';

/** Optimiser settings as recorded on the model card. */
export type OptimizerConfig =
  | { readonly kind: 'adam'; readonly learningRate: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number }
  | { readonly kind: 'sgd'; readonly learningRate: number; readonly momentum?: number; readonly weightDecay?: number };

/** Serializable optimiser state: step count and per-parameter slots (Adam m and v; SGD velocity). */
export interface OptimizerState {
  readonly step: number;
  readonly slots: Readonly<Record<string, readonly Float32Array[]>>;
}

/** Updates parameters from their gradients. */
export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Applies one update to every parameter that has a gradient. */
  update(parameters: ReadonlyMap<string, Float32Array>, gradients: Readonly<Record<string, Float32Array>>, learningRate?: number): void;
  state(): OptimizerState;
}

/** How an optimiser computes (results agree to float32 rounding either way). */
export interface OptimizerOptions {
  /** Adam's update in WebAssembly SIMD, float32 (default true where available); false: a float64 JavaScript loop. */
  readonly simd?: boolean;
}

/** Creates an optimiser, optionally restoring its state from a checkpoint. */
export function createOptimizer(config: OptimizerConfig, restored?: OptimizerState, options: OptimizerOptions = {}): Optimizer {
  if (!(config.learningRate > 0)) throw modelErrors.badOption('learningRate', config.learningRate, 'a positive number');
  let step = restored?.step ?? 0;
  const slots = new Map<string, Float32Array[]>(Object.entries(restored?.slots ?? {}).map(([k, v]) => [k, v.map((a) => Float32Array.from(a))]));
  // Adam's moments live in the kernel's memory once it has them; `slots` then keeps only restored ones not yet seen.
  let simd = config.kind === 'adam' && options.simd !== false ? AdamSimd.create() : undefined;
  const leaveSimd = () => {
    for (const n of simd?.names() ?? []) slots.set(n, simd!.moments(n)!);
    simd = undefined;
  };
  const slotsOf = (name: string, size: number, count: number): Float32Array[] => {
    let s = slots.get(name);
    if (!s) {
      s = Array.from({ length: count }, () => new Float32Array(size));
      slots.set(name, s);
    }
    return s;
  };
  return {
    config,
    update(parameters, gradients, learningRate = config.learningRate) {
      step += 1;
      const decay = config.weightDecay ?? 0;
      if (config.kind === 'adam') {
        const b1 = config.beta1 ?? 0.9;
        const b2 = config.beta2 ?? 0.999;
        const eps = config.epsilon ?? 1e-7;
        // Bias corrections folded into the step size (the Keras / paper formulation).
        const alpha = (learningRate * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
        const entries = Object.entries(gradients).filter(([name]) => parameters.has(name));
        if (simd) {
          // Restored moments move into the kernel's memory once, when their parameter first arrives.
          const takeRestored = (name: string) => {
            const restoredSlots = slots.get(name);
            slots.delete(name);
            return restoredSlots;
          };
          // Parameters in one WebAssembly arena (the training runner's): moments beside them, updated in place.
          const arena = entries.length ? WasmArena.of(parameters.get(entries[0]![0])!) : undefined;
          if (arena && simd.attach(arena, new Map(entries.map(([name]) => [name, parameters.get(name)!])), takeRestored)) {
            for (const [name, g] of entries) simd.updateAttached(name, parameters.get(name)!, g, { alpha, b1, b2, eps, decay });
            return;
          }
          if (simd.reserve(new Map(entries.map(([name]) => [name, parameters.get(name)!.length])), takeRestored)) {
            for (const [name, g] of entries) simd.update(name, parameters.get(name)!, g, { alpha, b1, b2, eps, decay });
            return;
          }
          leaveSimd(); // more than WebAssembly's 4 GiB: the JavaScript loop
        }
        for (const [name, g] of Object.entries(gradients)) {
          const p = parameters.get(name);
          if (!p) continue;
          const [m, v] = slotsOf(name, p.length, 2) as [Float32Array, Float32Array];
          adamLoop(p, g, m, v, alpha, b1, b2, eps, decay);
        }
        return;
      }
      const mu = config.momentum ?? 0.9;
      for (const [name, g] of Object.entries(gradients)) {
        const p = parameters.get(name);
        if (!p) continue;
        const [vel] = slotsOf(name, p.length, 1) as [Float32Array];
        for (let i = 0; i < p.length; i++) {
          const vi = mu * vel[i]! + g[i]! + decay * p[i]!;
          vel[i] = vi;
          p[i] = p[i]! - learningRate * vi;
        }
      }
    },
    state() {
      const all = new Map(slots);
      for (const n of simd?.names() ?? []) all.set(n, simd!.moments(n)!);
      return { step, slots: Object.fromEntries(all) };
    },
  };
}

/**
 * One Adam update of a tensor, in place. Constants hoisted and the weight-decay read skipped when it is 0:
 * about 25% faster than the plain loop on 21.8M parameters (the loop is memory-bound; measured).
 */
function adamLoop(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, alpha: number, b1: number, b2: number, eps: number, decay: number): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const n = p.length;
  if (decay === 0) {
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = b1 * m[i]! + c1 * gi;
      const vi = b2 * v[i]! + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i]! -= (alpha * mi) / (Math.sqrt(vi) + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i]! + decay * p[i]!;
    const mi = b1 * m[i]! + c1 * gi;
    const vi = b2 * v[i]! + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i]! -= (alpha * mi) / (Math.sqrt(vi) + eps);
  }
}
