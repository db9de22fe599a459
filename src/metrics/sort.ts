/**
 * Sorting for the ranking metrics. Float32 maps (the common case) are sorted as order-preserving uint32
 * keys with a three-pass LSD radix sort: O(n), and several times faster in V8 than the native
 * typed-array sort on 320x320 maps. Keys compare (<, ===) exactly as the floats do.
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The order-preserving key of a finite float32 value (+0 and -0 share one key, as they compare equal). */
export function float32Key(value: number): number {
  scratch[0] = value === 0 ? 0 : value;
  const bits = scratchBits[0]!;
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/** Sorts uint32 keys ascending (radix, 11 bits per pass); returns the sorted array (`keys` or a new one). */
export function radixSortUint32(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  if (n < 256) return keys.sort();
  const bins = 2048;
  const counts = new Uint32Array(3 * bins);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    counts[k & 2047]!++;
    counts[bins + ((k >>> 11) & 2047)]!++;
    counts[2 * bins + (k >>> 22)]!++;
  }
  let src: Uint32Array = keys;
  let dst: Uint32Array = new Uint32Array(n);
  for (let pass = 0; pass < 3; pass++) {
    const offset = pass * bins;
    const shift = pass * 11;
    // A digit shared by every key leaves the order unchanged: skip the pass.
    let skip = false;
    let sum = 0;
    for (let d = 0; d < bins; d++) {
      const c = counts[offset + d]!;
      if (c === n) skip = true;
      counts[offset + d] = sum;
      sum += c;
    }
    if (skip) continue;
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[counts[offset + ((k >>> shift) & 2047)]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}
