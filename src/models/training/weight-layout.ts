/**
 * Conv weights in onnxruntime's blocked layout (see graph/nchwc.ts), refilled from the current parameters
 * before every training step: W [M, C, kh, kw] as [M/b, C/b, kh, kw, b (c), b (m)], and for the
 * input-gradient Conv the flipped transpose W[m, c, kh-1-i, kw-1-j] as [C/b, M/b, kh, kw, b (m), b (c)].
 * Both are one strided gather over W; in JavaScript it took about 160 ms per InceptionV3 step for its
 * 22M weights (measured), so it runs as a small WebAssembly loop nest (scalar: the gathers are strided on
 * both sides), writing into WebAssembly memory that onnxruntime reads directly as the feeds.
 */
import { ModelError } from '../../core/errors.js';
import { elementCount } from '../../graph/ir.js';
import type { BlockedWeight } from '../../graph/nchwc.js';
import { WasmArena } from './wasm-arena.js';
import { f32Load, I32, i32Add, i32Const, i32Sub, localGet, localSet, localTee, MAX_BYTES, moduleBytes, PAGE, uleb, wasm, type WasmMemory } from './wasm-writer.js';

/** Loop levels of the gather: five, outer to inner. */
const LEVELS = 5;

/**
 * gather(out, in, n0, s0, ..., n4, s4): for each index tuple in row-major order, out[o++] =
 * in[sum(i_l * s_l)], byte addresses and byte strides (strides may be negative); every n_l >= 1 and
 * n4 = block (the value passed for n4 is not read).
 */
function gatherCode(block: number): number[] {
  const OUT = 0;
  const count = (l: number) => 2 + 2 * l;
  const stride = (l: number) => 3 + 2 * l;
  const O = 2 + 2 * LEVELS; // running output address
  const ptr = (l: number) => O + 1 + 2 * l;
  const left = (l: number) => O + 2 + 2 * l;
  const level = (l: number, from: number): number[] => [
    ...localGet(from), ...localSet(ptr(l)),
    ...localGet(count(l)), ...localSet(left(l)),
    0x03, 0x40, // loop
    ...(l === LEVELS - 2 ? innermost(ptr(l)) : level(l + 1, ptr(l))),
    ...localGet(ptr(l)), ...localGet(stride(l)), ...i32Add, ...localSet(ptr(l)),
    ...localGet(left(l)), ...i32Const(1), ...i32Sub, ...localTee(left(l)), 0x0d, 0, // again while left
    0x0b, // end loop
  ];
  // The innermost level always counts one channel block: unrolled, with the output offsets as immediates.
  const innermost = (from: number): number[] => [
    ...localGet(from), ...localSet(ptr(LEVELS - 1)),
    ...Array.from({ length: block }, (_, i) => [
      ...localGet(O), ...localGet(ptr(LEVELS - 1)), ...f32Load, 0x38, 2, ...uleb(4 * i),
      ...localGet(ptr(LEVELS - 1)), ...localGet(stride(LEVELS - 1)), ...i32Add, ...localSet(ptr(LEVELS - 1)),
    ]).flat(),
    ...localGet(O), ...i32Const(4 * block), ...i32Add, ...localSet(O),
  ];
  return [...localGet(OUT), ...localSet(O), ...level(0, 1), 0x0b];
}

type Gather = (out: number, input: number, ...countsAndStrides: number[]) => void;

const compiled = new Map<number, object | null>();

/** The module for channel block `block` (its innermost count), or null without WebAssembly. */
function layoutModule(block: number): object | null {
  let module = compiled.get(block);
  if (module === undefined) {
    const bytes = moduleBytes([{ name: 'gather', params: new Array<number>(2 + 2 * LEVELS).fill(I32), locals: [[1 + 2 * LEVELS, I32]], code: gatherCode(block) }]);
    module = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
    compiled.set(block, module);
  }
  return module;
}

/** Counts and element strides of the gather producing `w`'s blocked layout from W in C order. */
function gatherPlan(w: Pick<BlockedWeight, 'dims' | 'flipped'>, block: number): { counts: number[]; strides: number[]; start: number } {
  const [m, c, kh, kw] = w.dims;
  const k = kh * kw;
  if (!w.flipped) return { counts: [m / block, c / block, k, block, block], strides: [block * c * k, block * k, 1, k, c * k], start: 0 };
  // Flipping both spatial axes reverses the flattened kernel index.
  return { counts: [c / block, m / block, k, block, block], strides: [block * k, block * c * k, -1, c * k, k], start: k - 1 };
}

/** The same gather in JavaScript (where WebAssembly is missing). */
function gatherJs(src: Float32Array, out: Float32Array, plan: ReturnType<typeof gatherPlan>): void {
  const [n0, n1, n2, n3, n4] = plan.counts as [number, number, number, number, number];
  const [s0, s1, s2, s3, s4] = plan.strides as [number, number, number, number, number];
  let o = 0;
  for (let a = 0, pa = plan.start; a < n0; a++, pa += s0)
    for (let b = 0, pb = pa; b < n1; b++, pb += s1)
      for (let d = 0, pd = pb; d < n2; d++, pd += s2)
        for (let e = 0, pe = pd; e < n3; e++, pe += s3)
          for (let f = 0, pf = pe; f < n4; f++, pf += s4) out[o++] = src[pf]!;
}

/** The blocked weights of one training graph, refilled from the parameters before each step. */
export class BlockedWeights {
  /** Staging: float index of the area a source weight is copied to, or undefined when sources must already be in `memory`. */
  private buffers: { outputs: Float32Array[]; kernel: { memory: WasmMemory; gather: Gather; staging: number | undefined } | undefined } | undefined;

  private constructor(
    private readonly weights: readonly BlockedWeight[],
    private readonly block: number,
    private readonly useWasm: boolean,
    private readonly arena: WasmArena | undefined,
  ) {}

  /**
   * The blocked weights of `weights`, in WebAssembly memory where available (else JavaScript arrays),
   * allocated at the first `fill` (a runner used only for forward passes never holds them). With an
   * arena (the runner's, holding the parameters), they are allocated in it and gathered straight from
   * the parameters, with no staging copy.
   */
  static create(unordered: readonly BlockedWeight[], block: number, options: { wasm?: boolean; arena?: WasmArena } = {}): BlockedWeights {
    // Both layouts of one weight next to each other: it is copied into the staging area once.
    const weights = [...unordered].sort((a, b) => (a.weight < b.weight ? -1 : a.weight > b.weight ? 1 : Number(a.flipped) - Number(b.flipped)));
    return new BlockedWeights(weights, block, options.wasm !== false, options.arena);
  }

  /** Floats the blocked weights take (what a runner reserves in its arena for them). */
  static floats(weights: readonly BlockedWeight[]): number {
    return WasmArena.floatsFor(weights.map((w) => elementCount(w.dims)));
  }

  private allocate(): NonNullable<BlockedWeights['buffers']> {
    const sizes = this.weights.map((w) => elementCount(w.dims));
    const module = this.useWasm ? layoutModule(this.block) : null;
    if (module && wasm && this.arena?.fits(sizes)) {
      const gather = new wasm.Instance(module, { env: { memory: this.arena.memory } }).exports.gather as Gather;
      return { outputs: sizes.map((size) => this.arena!.alloc(size)!), kernel: { memory: this.arena.memory, gather, staging: undefined } };
    }
    const staging = Math.max(0, ...sizes);
    const total = staging + sizes.reduce((a, b) => a + b, 0);
    if (module && wasm && 4 * total <= MAX_BYTES) {
      const memory = new wasm.Memory({ initial: Math.ceil((4 * total) / PAGE) });
      const gather = new wasm.Instance(module, { env: { memory } }).exports.gather as Gather;
      let at = staging;
      const outputs = sizes.map((size) => {
        const view = new Float32Array(memory.buffer, 4 * at, size);
        at += size;
        return view;
      });
      return { outputs, kernel: { memory, gather, staging: 0 } };
    }
    return { outputs: sizes.map((s) => new Float32Array(s)), kernel: undefined };
  }

  /** True when the gathers run in WebAssembly (known after the first `fill`). */
  get native(): boolean {
    return (this.buffers ??= this.allocate()).kernel !== undefined;
  }

  /** Refills every blocked weight from `parameters` and returns them as feeds (input name -> values). */
  fill(parameters: ReadonlyMap<string, Float32Array>): Record<string, { data: Float32Array; dims: number[] }> {
    const { outputs, kernel } = (this.buffers ??= this.allocate());
    const view = kernel && new Float32Array(kernel.memory.buffer);
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
    let staged: string | undefined;
    this.weights.forEach((w, i) => {
      const src = parameters.get(w.weight);
      if (!src) throw new ModelError('blocked-weight-source', `no parameter "${w.weight}" to fill the blocked weight "${w.input}" from`, {}, { hint: 'pass the parameters of the model the training graph was built from' });
      const out = outputs[i]!;
      const plan = gatherPlan(w, this.block);
      const inMemory = kernel !== undefined && src.buffer === kernel.memory.buffer;
      if (kernel && view && (inMemory || kernel.staging !== undefined)) {
        let from = src.byteOffset;
        if (!inMemory) {
          if (staged !== w.weight) view.set(src.subarray(0, out.length), kernel.staging);
          staged = w.weight;
          from = 4 * kernel.staging!;
        }
        const args = plan.counts.flatMap((n, l) => [n, 4 * plan.strides[l]!]);
        kernel.gather(out.byteOffset, from + 4 * plan.start, ...args);
      } else {
        gatherJs(src, out, plan);
      }
      const [m, c, kh, kw] = w.dims;
      feeds[w.input] = { data: out, dims: w.flipped ? [c, m, kh, kw] : [m, c, kh, kw] };
    });
    return feeds;
  }
}
