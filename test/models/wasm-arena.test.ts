import { describe, expect, it } from 'vitest';
import { WasmArena } from '../../src/models/training/wasm-arena.js';

describe('WasmArena', () => {
  it('hands out zeroed views aligned to four floats, padded, until it is full', () => {
    const arena = WasmArena.create(12)!;
    expect(arena).toBeDefined();
    const a = arena.alloc(5)!;
    const b = arena.alloc(3)!;
    expect([a.length, b.length]).toEqual([5, 3]);
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBe(a.byteOffset + 32); // 5 floats padded to 8
    expect(Array.from(a)).toEqual([0, 0, 0, 0, 0]);
    a.fill(1);
    expect(Array.from(b)).toEqual([0, 0, 0]); // the padding between them stayed untouched
    expect(arena.holds(a, b)).toBe(true);
    expect(WasmArena.of(b)).toBe(arena);
    expect(WasmArena.of(new Float32Array(4))).toBeUndefined();
    expect(arena.holds(a, new Float32Array(1))).toBe(false);
  });

  it('refuses views that do not fit and reports what would', () => {
    const arena = WasmArena.create(8)!;
    // One page is the smallest memory: 16,384 floats however few were asked for.
    expect(arena.fits([16_384])).toBe(true);
    expect(arena.fits([16_381, 1])).toBe(false); // 16,384 + 4 with padding
    expect(arena.alloc(16_380)).toBeDefined();
    expect(arena.alloc(5)).toBeUndefined();
    expect(arena.alloc(4)).toBeDefined();
    expect(arena.fits([1])).toBe(false);
  });

  it('sums padded lengths and declines sizes past 4 GiB', () => {
    expect(WasmArena.floatsFor([1, 4, 5])).toBe(16);
    expect(WasmArena.create(2 ** 30)).toBeUndefined();
  });
});
