/**
 * One WebAssembly memory shared by a training step's WebAssembly kernels: the parameters live in it, so
 * Adam updates them in place and the blocked-weight refill gathers straight from them. Before, each kernel
 * had its own memory and copied the parameters in (and Adam out again): Adam's update took 46-47 ms per
 * InceptionV3@320 step with the copies and 33 ms in place (docs/models.md).
 *
 * The memory is sized once, when the runner is built, and never grows (growing would detach every view
 * handed out). Pages nobody writes cost no resident memory (a 1 GiB arena left the RSS unchanged until
 * written), so room for optimiser state that an SGD run never uses is free.
 */
import { MAX_BYTES, PAGE, wasm, type WasmMemory } from './wasm-writer.js';

/** Views are aligned to four floats, the SIMD kernels' group. */
const ALIGN = 16;

const arenas = new WeakMap<ArrayBuffer, WasmArena>();

/** A fixed-size WebAssembly memory handed out in aligned float32 views. */
export class WasmArena {
  private used = 0;

  private constructor(
    readonly memory: WasmMemory,
    private readonly capacity: number,
  ) {}

  /** An arena with room for `floats` values (each view rounded up to four), or undefined without WebAssembly or beyond 4 GiB. */
  static create(floats: number): WasmArena | undefined {
    const bytes = Math.ceil(floats / 4) * ALIGN;
    if (!wasm || bytes > MAX_BYTES) return undefined;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    const arena = new WasmArena(new wasm.Memory({ initial: pages }), pages * PAGE);
    arenas.set(arena.memory.buffer, arena);
    return arena;
  }

  /** Floats to reserve for views of these lengths (each rounded up to four). */
  static floatsFor(lengths: Iterable<number>): number {
    let total = 0;
    for (const n of lengths) total += Math.ceil(n / 4) * 4;
    return total;
  }

  /** The arena `values` lives in, if any. */
  static of(values: Float32Array): WasmArena | undefined {
    return arenas.get(values.buffer as ArrayBuffer);
  }

  /** A zeroed view of `length` floats, or undefined when the arena is full. */
  alloc(length: number): Float32Array | undefined {
    const bytes = Math.ceil(length / 4) * ALIGN;
    if (this.used + bytes > this.capacity) return undefined;
    const view = new Float32Array(this.memory.buffer, this.used, length);
    this.used += bytes;
    return view;
  }

  /** True when views of these lengths would all fit. */
  fits(lengths: readonly number[]): boolean {
    return this.used + 4 * WasmArena.floatsFor(lengths) <= this.capacity;
  }

  /** True when every array is a view into this arena. */
  holds(...values: Float32Array[]): boolean {
    return values.every((v) => v.buffer === this.memory.buffer);
  }
}
