import { describe, expect, it } from 'vitest';
import { createMersenneTwister, createPythonRandom, perImageColumns, perImageRecord, selectImages, ssimRows } from '../../src/criteria/index.js';

describe('CPython random (MT19937)', () => {
  it('matches the MT19937 reference output for init_by_array({0x123, 0x234, 0x345, 0x456})', () => {
    // The first values of mt19937ar.out, Matsumoto and Nishimura's published test vector.
    const mt = createMersenneTwister([0x123, 0x234, 0x345, 0x456]);
    expect([1, 2, 3, 4, 5].map(() => mt.nextUint32())).toEqual([1067595299, 955945823, 477289528, 4107218783, 4228976476]);
  });

  it('matches random.seed(n); random.random() of CPython', () => {
    // Widely reproduced CPython 3 values: seed(0) -> 0.8444218515250481, seed(1) -> 0.13436424411240122, seed(42) -> 0.6394267984578837.
    expect(createPythonRandom(0).random()).toBe(0.8444218515250481);
    expect(createPythonRandom(1).random()).toBe(0.13436424411240122);
    expect(createPythonRandom(42).random()).toBe(0.6394267984578837);
  });

  it('derives randint and shuffle from the same stream as CPython', () => {
    // seed(1): the first 32-bit output is about 0.13436 * 2^32 = 577090037, so randint(1, 10) = 1 + (577090037 >> 28) = 3
    // and randint(1, 100) = 1 + (577090037 >> 25) = 18, the values CPython prints.
    expect(1 + createPythonRandom(1).randbelow(10)).toBe(3);
    expect(1 + createPythonRandom(1).randbelow(100)).toBe(18);
    const r = createPythonRandom(1);
    expect(Array.from({ length: 10 }, () => 1 + r.randbelow(10))).toEqual([3, 10, 2, 5, 2, 8, 8, 8, 7, 4]);
    // random.seed(1); x = list(range(10)); random.shuffle(x)
    expect(createPythonRandom(1).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([6, 8, 9, 7, 5, 3, 0, 4, 1, 2]);
  });
});

describe('selectImages', () => {
  const positives = Array.from({ length: 240 }, (_, i) => `p${i}`);

  it('reproduces the paper selection: Python shuffle with seed 1, first 100, in test order', () => {
    const s = selectImages(positives, { method: 'arun2021', count: 100, seed: 1 });
    const order = createPythonRandom(1).shuffle(Array.from({ length: 240 }, (_, i) => i));
    expect(s.positions).toEqual(order.slice(0, 100).sort((a, b) => a - b));
    expect(s.items).toEqual(s.positions.map((p) => `p${p}`));
    expect(s).toMatchObject({ available: 240, short: false });
    expect(selectImages(positives, { method: 'arun2021', count: 100, seed: 1 })).toEqual(s);
  });

  it('takes all, the first, or a seeded sample', () => {
    expect(selectImages(positives, { method: 'first', count: 'all', seed: 0 }).items).toEqual(positives);
    expect(selectImages(positives, { method: 'first', count: 3, seed: 0 }).items).toEqual(['p0', 'p1', 'p2']);
    const seeded = selectImages(positives, { method: 'seeded', count: 10, seed: 5 });
    expect(seeded.items).toHaveLength(10);
    expect(selectImages(positives, { method: 'seeded', count: 10, seed: 5 })).toEqual(seeded);
    expect(selectImages(positives.slice(0, 5), { method: 'arun2021', count: 100, seed: 1 })).toMatchObject({ short: true, available: 5 });
    expect(() => selectImages(positives, { method: 'seeded', count: 0, seed: 1 })).toThrow(/count/);
  });
});

describe('per-image rows', () => {
  it('formats rows in the documented columns', () => {
    const [row] = ssimRows(['img-0'], { criterion: 'randomization', method: 'grad-cam', model: 'rep-1', state: 'logits' }, [NaN]);
    const record = perImageRecord(row!);
    expect(Object.keys(record)).toEqual([...perImageColumns]);
    expect(record).toMatchObject({ image: 'img-0', ssim: 'NaN', degenerate: '1', auprc: '' });
  });
});
