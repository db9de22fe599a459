/** Adam (WebAssembly SIMD and JavaScript paths) against an independent float64 reference; state round trips. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { AdamSimd } from '../../src/models/training/adam-simd.js';
import { createOptimizer, type OptimizerConfig } from '../../src/models/training/optimizers.js';
import { WasmArena } from '../../src/models/training/wasm-arena.js';

const lengths = { a: 7, b: 1, c: 4097 } as const;

function randomArrays(seed: number, scale: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  return Object.fromEntries(Object.entries(lengths).map(([k, n]) => [k, Float32Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1))]));
}

const params0 = () => new Map(Object.entries(randomArrays(1, 1)));
const gradsAt = (step: number) => randomArrays(100 + step, 0.01);

/** Adam as Kingma & Ba write it (bias corrections folded into the step size), all in float64. */
function reference(config: { learningRate: number; weightDecay?: number }, steps: number) {
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  const p = new Map([...params0()].map(([k, v]) => [k, Float64Array.from(v)]));
  const m = new Map([...p].map(([k, v]) => [k, new Float64Array(v.length)]));
  const v = new Map([...p].map(([k, x]) => [k, new Float64Array(x.length)]));
  for (let t = 1; t <= steps; t++) {
    const grads = gradsAt(t);
    const alpha = (config.learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (const [k, pk] of p) {
      for (let i = 0; i < pk.length; i++) {
        const g = grads[k]![i]! + (config.weightDecay ?? 0) * pk[i]!;
        m.get(k)![i] = b1 * m.get(k)![i]! + (1 - b1) * g;
        v.get(k)![i] = b2 * v.get(k)![i]! + (1 - b2) * g * g;
        pk[i] = pk[i]! - (alpha * m.get(k)![i]!) / (Math.sqrt(v.get(k)![i]!) + eps);
      }
    }
  }
  return { p, m, v };
}

function run(config: OptimizerConfig, steps: number, simd: boolean) {
  const params = params0();
  const optimizer = createOptimizer(config, undefined, { simd });
  for (let t = 1; t <= steps; t++) optimizer.update(params, gradsAt(t));
  return { params, state: optimizer.state() };
}

/**
 * Largest difference in units of float32 spacing at the reference value, or at `floor` for values that
 * are small by cancellation (a first moment near zero is a sum of larger terms of both signs).
 */
function ulps(ours: Float32Array, ref: Float64Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const spacing = Math.max(Math.abs(ref[i]!), floor) * 2 ** -23;
    worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!) / spacing);
  }
  return worst;
}

describe('Adam', () => {
  it('runs on WebAssembly SIMD in Node 20', () => {
    expect(AdamSimd.create()).toBeDefined();
  });

  for (const weightDecay of [0, 0.01]) {
    for (const simd of [true, false]) {
      it(`matches a float64 reference over 5 steps (${simd ? 'SIMD' : 'JavaScript'}, weight decay ${weightDecay})`, () => {
        const config: OptimizerConfig = { kind: 'adam', learningRate: 3e-3, weightDecay };
        const ours = run(config, 5, simd);
        const ref = reference(config, 5);
        for (const k of Object.keys(lengths)) {
          // Floors: parameters of order 1 move by steps of 3e-3; gradients are of order 1e-2.
          expect(ulps(ours.params.get(k)!, ref.p.get(k)!, 1e-2), `parameter ${k}`).toBeLessThan(64);
          const [m, v] = ours.state.slots[k]!;
          expect(ulps(m!, ref.m.get(k)!, 1e-2), `first moment ${k}`).toBeLessThan(64);
          expect(ulps(v!, ref.v.get(k)!, 1e-30), `second moment ${k}`).toBeLessThan(64);
        }
        // The update moved every parameter by far more than the tolerance.
        expect(Math.abs(ours.params.get('c')![0]! - params0().get('c')![0]!)).toBeGreaterThan(1e-3);
      });
    }
  }

  it('updates parameters held in a WebAssembly arena in place, bit for bit as the copying kernel, and falls back outside it', () => {
    const config: OptimizerConfig = { kind: 'adam', learningRate: 0.01, weightDecay: 0.01 };
    const own = run(config, 5, true);
    const arena = WasmArena.create(WasmArena.floatsFor(Object.values(lengths).map((n) => 3 * n + n)))!;
    const params = new Map(
      [...params0()].map(([k, v]) => {
        const view = arena.alloc(v.length)!;
        view.set(v);
        return [k, view] as const;
      }),
    );
    const views = new Map(params);
    const optimizer = createOptimizer(config, undefined, { simd: true });
    for (let t = 1; t <= 5; t++) optimizer.update(params, gradsAt(t));
    for (const [k, v] of own.params) {
      expect(params.get(k)).toBe(views.get(k)); // updated in place, never replaced
      expect(Array.from(params.get(k)!)).toEqual(Array.from(v));
      expect(Array.from(optimizer.state().slots[k]![0]!)).toEqual(Array.from(own.state.slots[k]![0]!));
      expect(Array.from(optimizer.state().slots[k]![1]!)).toEqual(Array.from(own.state.slots[k]![1]!));
    }
    // A parameter outside the arena arrives: the moments move out and the update carries on (JavaScript loop).
    const more = new Map([...params, ['d', Float32Array.from([0.5, -0.5])] as const]);
    const before = Float32Array.from(params.get('c')!);
    optimizer.update(more, { ...gradsAt(6), d: Float32Array.from([0.1, 0.1]) });
    expect(more.get('d')![0]).toBeLessThan(0.5);
    expect(Array.from(params.get('c')!)).not.toEqual(Array.from(before));
    expect(optimizer.state().step).toBe(6);
    expect(optimizer.state().slots.c![0]!.length).toBe(lengths.c);
  });

  it('resumes from its state exactly as if never interrupted', () => {
    const config: OptimizerConfig = { kind: 'adam', learningRate: 1e-3 };
    const straight = run(config, 5, true);
    const params = params0();
    const first = createOptimizer(config);
    for (let t = 1; t <= 3; t++) first.update(params, gradsAt(t));
    const resumed = createOptimizer(config, first.state());
    for (let t = 4; t <= 5; t++) resumed.update(params, gradsAt(t));
    for (const k of Object.keys(lengths)) expect(params.get(k)).toEqual(straight.params.get(k));
    expect(resumed.state().step).toBe(5);
  });

  it('keeps the moments of known parameters when new ones arrive, and leaves the rest alone', () => {
    const config: OptimizerConfig = { kind: 'adam', learningRate: 1e-3 };
    const only = (names: string[], t: number) => Object.fromEntries(Object.entries(gradsAt(t)).filter(([k]) => names.includes(k)));
    const grown = params0();
    const alone = params0();
    const a = createOptimizer(config);
    const b = createOptimizer(config);
    a.update(grown, only(['a'], 1));
    a.update(grown, only(['a', 'c'], 2));
    b.update(alone, only(['a'], 1));
    b.update(alone, only(['a'], 2));
    expect(grown.get('a')).toEqual(alone.get('a'));
    expect(grown.get('b')).toEqual(params0().get('b')); // no gradient, untouched
    expect(grown.get('c')).not.toEqual(params0().get('c'));
    expect(Object.keys(a.state().slots).sort()).toEqual(['a', 'c']);
  });
});
