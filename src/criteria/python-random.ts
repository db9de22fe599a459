/**
 * CPython's `random` module, as far as the paper's image selection needs it: the MT19937 generator
 * (Matsumoto & Nishimura 1998) seeded as `random.seed(n)` seeds it for a non-negative integer n
 * (`init_by_array` over n's 32-bit words), `random()`, `getrandbits(k)` for k <= 32, `_randbelow` by
 * rejection sampling, and Python 3's `shuffle`. Written from the published algorithms so `random.seed(1)`
 * followed by `random.shuffle(indices)` picks the same images as the paper's scripts under Python 3.
 */
import { criteriaErrors } from './messages.js';

const N = 624;
const M = 397;

/** A CPython-compatible random generator (Python 3 semantics). */
export interface PythonRandom {
  /** `random.random()`: 53-bit float in [0, 1). */
  random(): number;
  /** `random.getrandbits(k)` for 0 <= k <= 32. */
  getrandbits(k: number): number;
  /** `random._randbelow(n)`: uniform integer in [0, n) by rejection on `getrandbits(n.bit_length())`, n < 2^32. */
  randbelow(n: number): number;
  /** `random.shuffle(items)` in place (Python 3: `for i in reversed(range(1, len)): j = _randbelow(i + 1)`); returns `items`. */
  shuffle<T>(items: T[]): T[];
  /** The raw 32-bit output of the generator. */
  nextUint32(): number;
}

function initGenrand(mt: Uint32Array, seed: number): void {
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]!;
    mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
  }
}

function initByArray(mt: Uint32Array, key: readonly number[]): void {
  initGenrand(mt, 19650218);
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    const prev = mt[i - 1]!;
    mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j) >>> 0;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1]!;
    mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
  }
  mt[0] = 0x80000000;
}

/** The 32-bit words of a non-negative integer, least significant first (CPython's seed key; 0 gives [0]). */
function seedKey(seed: number): number[] {
  const key: number[] = [];
  let rest = seed;
  do {
    key.push(rest % 0x100000000);
    rest = Math.floor(rest / 0x100000000);
  } while (rest > 0);
  return key;
}

/** `random.Random(seed)` of CPython 3 for a non-negative safe integer seed (negative seeds use |seed|, as CPython). */
export function createPythonRandom(seed: number): PythonRandom {
  if (!Number.isSafeInteger(seed)) throw criteriaErrors.badOption('createPythonRandom', 'seed', seed, 'a safe integer');
  return createMersenneTwister(seedKey(Math.abs(seed)));
}

/** The generator seeded by MT19937's `init_by_array(key)` (32-bit words), as CPython seeds it from an integer's words. */
export function createMersenneTwister(key: readonly number[]): PythonRandom {
  if (key.length === 0 || !key.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw criteriaErrors.badOption('createMersenneTwister', 'key', key, 'a non-empty list of 32-bit unsigned words');
  }
  const mt = new Uint32Array(N);
  initByArray(mt, key);
  let index = N;

  const twist = (): void => {
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    index = 0;
  };

  const nextUint32 = (): number => {
    if (index >= N) twist();
    let y = mt[index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    return (y ^ (y >>> 18)) >>> 0;
  };

  const getrandbits = (k: number): number => {
    if (!Number.isInteger(k) || k < 0 || k > 32) throw criteriaErrors.badOption('getrandbits', 'k', k, 'an integer in [0, 32]');
    if (k === 0) return 0;
    return nextUint32() >>> (32 - k);
  };

  const randbelow = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw criteriaErrors.badOption('randbelow', 'n', n, 'an integer in [1, 2^32)');
    const k = Math.floor(Math.log2(n)) + 1; // n.bit_length()
    let r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
  };

  return {
    nextUint32,
    getrandbits,
    randbelow,
    random() {
      const a = nextUint32() >>> 5;
      const b = nextUint32() >>> 6;
      return (a * 67108864 + b) / 9007199254740992;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = randbelow(i + 1);
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
  };
}
