import { describe, expect, it } from 'vitest';
import { canonicalJson, hashBytes, stableHash } from '../../src/core/hash.js';

describe('stableHash', () => {
  it('ignores key order and undefined members, and sees typed-array contents', () => {
    expect(stableHash({ a: 1, b: [1, 2], c: undefined })).toBe(stableHash({ b: [1, 2], a: 1 }));
    expect(stableHash({ x: new Float32Array([1, 2]) })).not.toBe(stableHash({ x: new Float32Array([1, 3]) }));
    expect(stableHash({ x: new Float32Array([1, 2]) })).not.toBe(stableHash({ x: new Int32Array([1, 2]) }));
    expect(stableHash([1, 2])).not.toBe(stableHash([2, 1]));
  });

  it('matches a known SHA-256 for bytes', () => {
    expect(hashBytes(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});
