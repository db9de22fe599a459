/**
 * A minimal WebAssembly binary writer for the training kernels (`adam-simd.ts`, `weight-layout.ts`),
 * assembled from their instructions at run time, so nothing is fetched or compiled at install time.
 */

export function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const localGet = (i: number): number[] => [0x20, ...uleb(i)];
export const localSet = (i: number): number[] => [0x21, ...uleb(i)];
export const localTee = (i: number): number[] => [0x22, ...uleb(i)];
/** A non-negative i32 constant (signed LEB128: a last byte with bit 6 set would read as negative). */
export const i32Const = (v: number): number[] => {
  const bytes = uleb(v);
  if (bytes[bytes.length - 1]! & 0x40) {
    bytes[bytes.length - 1]! |= 0x80;
    bytes.push(0);
  }
  return [0x41, ...bytes];
};
export const i32Add = [0x6a];
export const i32Sub = [0x6b];
export const i32Shl = [0x74];
export const i32LtU = [0x49];
export const i32GeU = [0x4f];
export const f32Load = [0x2a, 2, 0]; // align 2^2, offset 0
export const f32Store = [0x38, 2, 0];
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** A module importing `env.memory` and exporting `functions` (name, parameter types, local declarations, code). */
export function moduleBytes(functions: readonly { name: string; params: number[]; locals: [number, number][]; code: number[] }[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

// The project's TypeScript libs (ES2022, no DOM) do not declare WebAssembly; these are the parts used.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export const PAGE = 65536;
/** The most a 32-bit WebAssembly memory can hold, rounded down to whole pages. */
export const MAX_BYTES = 2 ** 32 - PAGE;
