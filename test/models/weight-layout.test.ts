import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { nchwcBlockSize } from '../../src/engine/nchwc.js';
import type { BlockedWeight } from '../../src/graph/nchwc.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';
import { buildSmallResNet } from '../../src/models/architectures/small-resnet.js';
import { softmaxCrossEntropy } from '../../src/models/training/losses.js';
import { createOptimizer } from '../../src/models/training/optimizers.js';
import { TrainingRunner } from '../../src/models/training/runner.js';
import { WasmArena } from '../../src/models/training/wasm-arena.js';
import { BlockedWeights } from '../../src/models/training/weight-layout.js';
import { relativeError } from './helpers.js';

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

/** onnxruntime's OIHWBiBo layout element by element: [O/b, I/b, kh, kw, b (input), b (output)]. */
function blockedReference(w: Float32Array, dims: readonly number[], b: number, flipped: boolean): Float32Array {
  const [m, c, kh, kw] = dims as [number, number, number, number];
  const [o, i] = flipped ? [c, m] : [m, c];
  const out = new Float32Array(w.length);
  for (let oo = 0; oo < o; oo++)
    for (let ii = 0; ii < i; ii++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          // The input-gradient Conv's weight: out channel c, in channel m, both spatial axes flipped.
          const src = flipped ? ((ii * c + oo) * kh + (kh - 1 - y)) * kw + (kw - 1 - x) : ((oo * c + ii) * kh + y) * kw + x;
          const dst = ((((Math.floor(oo / b) * (i / b) + Math.floor(ii / b)) * kh + y) * kw + x) * b + (ii % b)) * b + (oo % b);
          out[dst] = w[src]!;
        }
  return out;
}

describe('blocked conv weights', () => {
  const shapes: [number, number, number, number][] = [[16, 8, 3, 3], [8, 24, 1, 1], [16, 16, 1, 7], [32, 16, 7, 1], [16, 32, 5, 5]];
  it.each([8, 16])('the WebAssembly and JavaScript gathers give the OIHWBiBo layouts, block %i', (b) => {
    const usable = shapes.filter(([m, c]) => m % b === 0 && c % b === 0);
    expect(usable.length).toBeGreaterThan(0);
    const weights: BlockedWeight[] = usable.flatMap((dims, k) => [false, true].map((flipped) => ({ input: `in${k}${flipped}`, weight: `w${k}`, flipped, dims })));
    const params = new Map(usable.map((dims, k) => [`w${k}`, random(dims.reduce((p, q) => p * q, 1), 10 + k)]));
    // The parameters also as views into an arena, which the arena path gathers from without staging.
    const arena = WasmArena.create(3 * WasmArena.floatsFor([...params.values()].map((v) => v.length)))!;
    const inArena = new Map([...params].map(([k, v]) => [k, arena.alloc(v.length)!] as const));
    for (const [k, v] of params) inArena.get(k)!.set(v);
    for (const mode of ['wasm', 'js', 'arena'] as const) {
      const layouts = BlockedWeights.create(weights, b, mode === 'arena' ? { arena } : { wasm: mode === 'wasm' });
      if (mode !== 'js') expect(layouts.native).toBe(true);
      const feeds = layouts.fill(mode === 'arena' ? inArena : params);
      if (mode === 'arena') expect(Object.values(feeds).every((f) => arena.holds(f.data))).toBe(true);
      for (const w of weights) {
        const [m, c, kh, kw] = w.dims;
        expect(feeds[w.input]!.dims).toEqual(w.flipped ? [c, m, kh, kw] : [m, c, kh, kw]);
        expect(Array.from(feeds[w.input]!.data)).toEqual(Array.from(blockedReference(params.get(w.weight)!, w.dims, b, w.flipped)));
      }
    }
  });

  it('refills from the current values on every call', () => {
    const weights: BlockedWeight[] = [{ input: 'a', weight: 'w', flipped: true, dims: [8, 8, 3, 3] }];
    const layouts = BlockedWeights.create(weights, 8);
    const params = new Map([['w', random(576, 1)]]);
    const first = Float32Array.from(layouts.fill(params).a!.data);
    params.get('w')!.set(random(576, 2));
    const second = layouts.fill(params).a!.data;
    expect(Array.from(second)).toEqual(Array.from(blockedReference(params.get('w')!, [8, 8, 3, 3], 8, true)));
    expect(Array.from(second)).not.toEqual(Array.from(first));
    expect(() => layouts.fill(new Map())).toThrow(ModelError);
  });
});

describe('training step on NCHWc kernels', () => {
  it('onnxruntime reports its channel block on x86', async () => {
    const b = await nchwcBlockSize();
    if (process.arch === 'x64') expect([8, 16]).toContain(b);
    else expect([0, 8, 16]).toContain(b);
  });

  it.each([
    // conv1 reads the 3-channel image and stays plain; the other four run blocked forward and backward.
    ['small CNN', () => buildSmallCnn({ inputSize: 32, width: 16, seed: 4, channels: 3 }), 3, 8],
    // Strided 3x3 convs (forward only: their input gradients are ConvTransposes) and 1x1 projections.
    ['small ResNet', () => buildSmallResNet({ inputSize: 32, width: 8, seed: 4 }), 1, undefined],
  ] as const)('the %s gives the same loss, gradients and statistics as on the plain kernels, step after step', async (_, build, channels, convs) => {
    const block = await nchwcBlockSize();
    const built = build();
    const plain = await TrainingRunner.create(built, softmaxCrossEntropy, { threads: 2, nchwc: false });
    const blocked = await TrainingRunner.create(built, softmaxCrossEntropy, { threads: 2 });
    try {
      expect(plain.nchwc.convs).toBe(0);
      if (block) {
        expect(blocked.nchwc.block).toBe(block);
        if (convs !== undefined) expect(blocked.nchwc.convs).toBe(convs);
        else expect(blocked.nchwc.convs).toBeGreaterThan(10);
      }
      const input = { data: random(4 * channels * 32 * 32, 3), dims: [4, channels, 32, 32] };
      const target = new Float32Array(8);
      for (let i = 0; i < 4; i++) target[i * 2 + (i % 2)] = 0.25;
      for (let step = 0; step < 2; step++) {
        const [a, b] = [await plain.pass(input, [target]), await blocked.pass(input, [target])];
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
        for (const [name, g] of Object.entries(a.gradients)) expect(relativeError(b.gradients[name]!, g), name).toBeLessThan(1e-4);
        for (const [name, u] of Object.entries(a.updates)) expect(relativeError(b.updates[name]!, u), name).toBeLessThan(1e-5);
        // Change the weights between the steps: the blocked copies must follow.
        for (const [name, g] of Object.entries(a.gradients)) {
          for (const runner of [plain, blocked]) {
            const p = runner.parameters.get(name)!;
            for (let i = 0; i < p.length; i++) p[i]! -= 0.05 * Math.sign(g[i]!);
          }
        }
      }
    } finally {
      await plain.dispose();
      await blocked.dispose();
    }
  });
});

describe('training runner memory', () => {
  it('keeps the parameters in one WebAssembly arena, where Adam and the refill work on them in place', async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 16, seed: 5, channels: 3 });
    const runner = await TrainingRunner.create(built, softmaxCrossEntropy, { threads: 2 });
    try {
      const arena = WasmArena.of(runner.parameters.values().next().value!);
      expect(arena).toBeDefined();
      expect(arena!.holds(...runner.parameters.values())).toBe(true);
      const input = { data: random(4 * 3 * 32 * 32, 6), dims: [4, 3, 32, 32] };
      const target = new Float32Array(8);
      for (let i = 0; i < 4; i++) target[i * 2 + (i % 2)] = 0.25;
      const adam = createOptimizer({ kind: 'adam', learningRate: 1e-3 });
      // The same SIMD kernel on plain copies (its own memory, parameters copied in and out): bit for bit.
      const reference = createOptimizer({ kind: 'adam', learningRate: 1e-3 });
      const copies = runner.snapshot();
      for (let step = 0; step < 3; step++) {
        // The same gradients the step will see (pass changes nothing), applied to the copies.
        const { gradients } = await runner.pass(input, [target]);
        reference.update(copies, gradients);
        await runner.step(input, [target], adam);
        for (const name of Object.keys(gradients)) expect(Array.from(runner.parameters.get(name)!), name).toEqual(Array.from(copies.get(name)!));
        // Running statistics come from the pass, as in the step.
        for (const [name, v] of runner.parameters) if (!(name in gradients)) copies.get(name)!.set(v);
      }
      expect(arena!.holds(...runner.parameters.values())).toBe(true);
      expect(adam.state().slots[Object.keys(adam.state().slots)[0]!]![0]!.some((x) => x !== 0)).toBe(true);
    } finally {
      await runner.dispose();
    }
  });
});
