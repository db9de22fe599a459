/**
 * Adam's element-wise update as a WebAssembly SIMD kernel (four float32 lanes), with the moments kept in
 * the kernel's own memory between steps. The plain JavaScript loop does scalar float64 arithmetic and ran
 * at about 10 ns per parameter (220 ms per InceptionV3 step, 8% of it); the kernel plus copying the
 * gradient and parameters in and the parameters out takes about 50 ms (measured, docs/models.md).
 *
 * The module is assembled here from its instructions (a few hundred bytes), so nothing is fetched or
 * compiled at install time. Its one function, for each group of four parameters:
 *   g' = g + decay * p   (the weight-decay variant only)
 *   m  = b1 * m + (1 - b1) * g'
 *   v  = b2 * v + (1 - b2) * g' * g'
 *   p  = p - alpha * m / (sqrt(v) + eps)
 * in float32, as PyTorch's and Keras's Adam compute it.
 */

import type { WasmArena } from './wasm-arena.js';
import { F32, I32, i32Add, i32Const, i32GeU, i32LtU, i32Shl, localGet, localSet, localTee, MAX_BYTES, moduleBytes as assemble, PAGE, simd, V128, wasm, type WasmApi, type WasmMemory } from './wasm-writer.js';

const v128Load = [...simd(0x00), 4, 0]; // align 2^4, offset 0
const v128Store = [...simd(0x0b), 4, 0];
const f32x4Splat = simd(0x13);
const f32x4Sqrt = simd(0xe3);
const f32x4Add = simd(0xe4);
const f32x4Sub = simd(0xe5);
const f32x4Mul = simd(0xe6);
const f32x4Div = simd(0xe7);

// Parameters: byte addresses of p, g, m, v; number of 4-lane groups; alpha, b1, 1 - b1, b2, 1 - b2, eps, decay.
const [P, G, M, V, GROUPS, ALPHA] = [0, 1, 2, 3, 4, 5];
// Locals: the byte offset, the seven scalars splatted, then g, m and v of the current group.
const OFFSET = 12;
const SPLAT = 13; // alpha, b1, c1, b2, c2, eps, decay at 13..19
const [GI, MI, VI] = [20, 21, 22];

function kernelBody(decay: boolean): number[] {
  const at = (base: number) => [...localGet(base), ...localGet(OFFSET), ...i32Add];
  const splat = (k: number) => localGet(SPLAT + k);
  const code = [
    ...[0, 1, 2, 3, 4, 5, 6].flatMap((k) => [...localGet(ALPHA + k), ...f32x4Splat, ...localSet(SPLAT + k)]),
    ...localGet(GROUPS), ...i32Const(4), ...i32Shl, ...localSet(GROUPS), // groups -> end byte offset
    ...i32Const(0), ...localSet(OFFSET),
    0x02, 0x40, // block
    ...localGet(OFFSET), ...localGet(GROUPS), ...i32GeU, 0x0d, 0, // nothing to do
    0x03, 0x40, // loop
    ...at(G), ...v128Load, ...localSet(GI),
    ...(decay ? [...localGet(GI), ...splat(6), ...at(P), ...v128Load, ...f32x4Mul, ...f32x4Add, ...localSet(GI)] : []),
    ...splat(1), ...at(M), ...v128Load, ...f32x4Mul, ...splat(2), ...localGet(GI), ...f32x4Mul, ...f32x4Add, ...localSet(MI),
    ...splat(3), ...at(V), ...v128Load, ...f32x4Mul, ...splat(4), ...localGet(GI), ...f32x4Mul, ...localGet(GI), ...f32x4Mul, ...f32x4Add, ...localSet(VI),
    ...at(M), ...localGet(MI), ...v128Store,
    ...at(V), ...localGet(VI), ...v128Store,
    ...at(P), ...at(P), ...v128Load, ...splat(0), ...localGet(MI), ...f32x4Mul, ...localGet(VI), ...f32x4Sqrt, ...splat(5), ...f32x4Add, ...f32x4Div, ...f32x4Sub, ...v128Store,
    ...localGet(OFFSET), ...i32Const(16), ...i32Add, ...localTee(OFFSET), ...localGet(GROUPS), ...i32LtU, 0x0d, 0, // next group
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  return code;
}

function moduleBytes(): Uint8Array {
  const params = [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32];
  const locals: [number, number][] = [[1, I32], [10, V128]];
  return assemble([
    { name: 'adam', params, locals, code: kernelBody(false) },
    { name: 'adamDecay', params, locals, code: kernelBody(true) },
  ]);
}

type Kernel = (p: number, g: number, m: number, v: number, groups: number, alpha: number, b1: number, c1: number, b2: number, c2: number, eps: number, decay: number) => void;

let compiled: object | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. */
function adamModule(): object | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

interface Slot {
  /** Float index of the slot in each region. */
  readonly offset: number;
  readonly length: number;
}

/** Adam hyper-parameters of one update, bias corrections folded into `alpha`. */
export interface AdamStep {
  readonly alpha: number;
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
  readonly decay: number;
}

/**
 * Parameters' Adam moments in WebAssembly memory and the SIMD update. The memory holds a staging slot
 * for one parameter and one for its gradient (as long as the longest parameter), then the first and the
 * second moments of every parameter, each slot a multiple of four floats (the padding stays zero and
 * updates to zero). Only the moments add to the caller's memory: 8 bytes per parameter, as before.
 */
export class AdamSimd {
  /** Moments kept next to the parameters when those live in one arena (`attach`), instead of `memory`. */
  private attached: { arena: WasmArena; kernels: { plain: Kernel; decay: Kernel }; moments: Map<string, [Float32Array, Float32Array]>; staging: Float32Array } | undefined;
  private slots = new Map<string, Slot>();
  /** Floats in one moment region, and in one staging slot. */
  private floats = 0;
  private staging = 0;
  private memory: WasmMemory | undefined;
  private kernels: { plain: Kernel; decay: Kernel } | undefined;

  private constructor(
    private readonly api: WasmApi,
    private readonly module: object,
  ) {}

  /** A kernel, or undefined where WebAssembly SIMD is missing (the caller keeps its JavaScript loop). */
  static create(): AdamSimd | undefined {
    const module = adamModule();
    return module && wasm ? new AdamSimd(wasm, module) : undefined;
  }

  /**
   * Makes room for these parameters, keeping the moments of known ones; new ones start from `initial`
   * (restored state) or zeros. Returns false when they do not fit in 4 GiB of WebAssembly memory.
   */
  reserve(lengths: ReadonlyMap<string, number>, initial: (name: string) => readonly Float32Array[] | undefined): boolean {
    if (this.attached) return false; // moments live in an arena: the caller moves them out (names/moments)
    let same = true;
    for (const [n, length] of lengths) if (this.slots.get(n)?.length !== length) same = false;
    if (same && this.memory) return true;
    const next = new Map<string, Slot>();
    let floats = 0;
    let staging = 4;
    const place = (n: string, length: number) => {
      const padded = Math.ceil(length / 4) * 4;
      next.set(n, { offset: floats, length });
      floats += padded;
      staging = Math.max(staging, padded);
    };
    for (const [n, slot] of this.slots) if (!lengths.has(n) || lengths.get(n) === slot.length) place(n, slot.length);
    for (const [n, length] of lengths) if (!next.has(n)) place(n, length);
    const bytes = 4 * (2 * staging + 2 * floats);
    if (bytes > MAX_BYTES) return false;
    const memory = new this.api.Memory({ initial: Math.ceil(bytes / PAGE) });
    const view = new Float32Array(memory.buffer);
    for (const [n, slot] of next) {
      const old = this.slots.get(n);
      const moments = old && old.length === slot.length && this.memory ? this.moments(n) : initial(n);
      if (!moments) continue;
      view.set(moments[0]!.subarray(0, slot.length), 2 * staging + slot.offset);
      view.set(moments[1]!.subarray(0, slot.length), 2 * staging + floats + slot.offset);
    }
    const instance = new this.api.Instance(this.module, { env: { memory } });
    this.kernels = { plain: instance.exports.adam as Kernel, decay: instance.exports.adamDecay as Kernel };
    this.memory = memory;
    this.slots = next;
    this.floats = floats;
    this.staging = staging;
    return true;
  }

  /**
   * Keeps the moments in `arena`, next to the parameters, when every parameter lies in it: the update then
   * runs on them in place (each gradient copied into one staging view unless it is in the arena too).
   * New parameters start from `initial` or zeros. Returns false, changing nothing, when the parameters are
   * elsewhere, the arena is full, or the moments already live in this kernel's own memory (`reserve`).
   */
  attach(arena: WasmArena, parameters: ReadonlyMap<string, Float32Array>, initial: (name: string) => readonly Float32Array[] | undefined): boolean {
    if (this.memory || (this.attached && this.attached.arena !== arena)) return false;
    for (const p of parameters.values()) if (!arena.holds(p)) return false;
    const fresh = [...parameters].filter(([n, p]) => this.attached?.moments.get(n)?.[0].length !== p.length);
    const longest = Math.max(4, ...[...parameters.values()].map((p) => p.length));
    const needStaging = !this.attached || this.attached.staging.length < longest;
    // All or nothing: a full arena must not leave some moments placed and others not.
    if (!arena.fits([...fresh.flatMap(([, p]) => [p.length, p.length]), ...(needStaging ? [longest] : [])])) return false;
    if (!this.attached) {
      const instance = new this.api.Instance(this.module, { env: { memory: arena.memory } });
      this.attached = { arena, kernels: { plain: instance.exports.adam as Kernel, decay: instance.exports.adamDecay as Kernel }, moments: new Map(), staging: arena.alloc(longest)! };
    } else if (needStaging) {
      this.attached.staging = arena.alloc(longest)!;
    }
    for (const [n, p] of fresh) {
      const m = arena.alloc(p.length)!;
      const v = arena.alloc(p.length)!;
      const start = initial(n);
      if (start) {
        m.set(start[0]!.subarray(0, p.length));
        v.set(start[1]!.subarray(0, p.length));
      }
      this.attached.moments.set(n, [m, v]);
    }
    return true;
  }

  /** Updates `p` (a view into the attached arena) in place from `g` and the moments kept next to it. */
  updateAttached(n: string, p: Float32Array, g: Float32Array, step: AdamStep): void {
    const { arena, kernels, moments, staging } = this.attached!;
    const [m, v] = moments.get(n)!;
    let gAt = g.byteOffset;
    if (!arena.holds(g)) {
      // The staging view's padding is zeroed each time: a shorter gradient must not update the tail.
      staging.set(g.subarray(0, p.length));
      staging.fill(0, p.length, Math.min(staging.length, Math.ceil(p.length / 4) * 4));
      gAt = staging.byteOffset;
    }
    // Views are padded to four floats with zeros (arena.ts), so the last group reads and writes only padding.
    const kernel = step.decay === 0 ? kernels.plain : kernels.decay;
    kernel(p.byteOffset, gAt, m.byteOffset, v.byteOffset, Math.ceil(p.length / 4), step.alpha, step.b1, 1 - step.b1, step.b2, 1 - step.b2, step.eps, step.decay);
  }

  /** Updates `p` in place from `g` (both of the reserved length) and the kept moments. */
  update(n: string, p: Float32Array, g: Float32Array, step: AdamStep): void {
    const slot = this.slots.get(n)!;
    const view = new Float32Array(this.memory!.buffer);
    const [pAt, gAt] = [0, this.staging];
    const mAt = 2 * this.staging + slot.offset;
    const vAt = mAt + this.floats;
    // The staging slots' padding is zero before every call: the previous parameter's tail is cleared.
    view.fill(0, pAt + slot.length, pAt + Math.ceil(slot.length / 4) * 4);
    view.fill(0, gAt + slot.length, gAt + Math.ceil(slot.length / 4) * 4);
    // Never past the slot: a longer array would run into the moments after the staging slots.
    view.set(p.subarray(0, slot.length), pAt);
    view.set(g.subarray(0, slot.length), gAt);
    const kernel = step.decay === 0 ? this.kernels!.plain : this.kernels!.decay;
    kernel(4 * pAt, 4 * gAt, 4 * mAt, 4 * vAt, Math.ceil(slot.length / 4), step.alpha, step.b1, 1 - step.b1, step.b2, 1 - step.b2, step.eps, step.decay);
    p.set(view.subarray(pAt, pAt + slot.length));
  }

  /** Copies of a parameter's moments [m, v], or undefined for an unknown parameter. */
  moments(n: string): Float32Array[] | undefined {
    const kept = this.attached?.moments.get(n);
    if (kept) return kept.map((a) => Float32Array.from(a));
    const slot = this.slots.get(n);
    if (!slot || !this.memory) return undefined;
    const view = new Float32Array(this.memory.buffer);
    const mAt = 2 * this.staging + slot.offset;
    return [mAt, mAt + this.floats].map((at) => view.slice(at, at + slot.length));
  }

  /** Names of the parameters with moments, in reservation order. */
  names(): string[] {
    return [...(this.attached?.moments.keys() ?? []), ...this.slots.keys()];
  }
}
