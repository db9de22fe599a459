/**
 * Seeded random numbers. Every random choice in heatcheck (noise, splits, shuffles, initialisers)
 * draws from an `Rng` made from a seed, so runs repeat exactly. The generator is xoshiro128**
 * (Blackman & Vigna), seeded through splitmix32; normals use the Marsaglia polar method.
 */

export interface Rng {
  /** The seed this generator was made from (after `fork`, the derived seed). */
  readonly seed: number;
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform float in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A standard normal draw. */
  normal(): number;
  /** Fills `out` with normal draws of the given mean and standard deviation; returns `out`. */
  fillNormal(out: Float32Array | Float64Array, mean?: number, std?: number): typeof out;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** An independent generator derived from this one's seed and a label (order-independent). */
  fork(label: string | number): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a string, used to derive fork seeds from labels. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Makes a generator from an integer seed (any safe integer; it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const seed32 = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  const init = splitmix32(seed32 >>> 0);
  // xoshiro128** state as 32-bit words (the bit patterns are all that matter).
  const state = Int32Array.from([init(), init(), init(), init()]);
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  let spare: number | undefined;

  const nextUint32 = (): number => step(state);
  const uniform = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * f;
        return u * f;
      }
    }
  };
  const rng: Rng = {
    seed,
    nextUint32,
    uniform,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor(uniform() * n);
    },
    normal,
    fillNormal(out, mean = 0, std = 1) {
      // The same draws as repeated normal() calls in one tight loop (SmoothGrad draws millions of normals
      // per image; about 1.5x faster than calling normal()).
      const n = out.length;
      let i = 0;
      if (n > 0 && spare !== undefined) {
        out[i++] = mean + std * spare;
        spare = undefined;
      }
      while (i < n) {
        let u: number;
        let v: number;
        let q: number;
        do {
          // uniform() twice, each from two generator outputs.
          const hi0 = step(state) >>> 5;
          u = 2 * ((hi0 * 67108864 + (step(state) >>> 6)) / 9007199254740992) - 1;
          const hi1 = step(state) >>> 5;
          v = 2 * ((hi1 * 67108864 + (step(state) >>> 6)) / 9007199254740992) - 1;
          q = u * u + v * v;
        } while (!(q > 0 && q < 1));
        const f = Math.sqrt((-2 * Math.log(q)) / q);
        out[i++] = mean + std * (u * f);
        if (i < n) out[i++] = mean + std * (v * f);
        else spare = v * f;
      }
      return out;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
    fork(label: string | number): Rng {
      const h = hashLabel(`${seed32}:${String(label)}`);
      return createRng(h);
    },
  };
  return rng;
}

/** One xoshiro128** step on `s` (four 32-bit words, updated in place); returns the output as uint32. */
function step(s: Int32Array): number {
  const b = s[1]!;
  const m = Math.imul(b, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9);
  const t = b << 9;
  s[2]! ^= s[0]!;
  s[3]! ^= b;
  s[1]! ^= s[2]!;
  s[0]! ^= s[3]!;
  s[2]! ^= t;
  const d = s[3]!;
  s[3] = (d << 11) | (d >>> 21);
  return result >>> 0;
}
