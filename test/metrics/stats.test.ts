import { describe, expect, it } from 'vitest';
import { bootstrapCi, holm, oneSampleTTest, pairedCohensD, pairedTTest, wilcoxonSignedRank } from '../../src/metrics/index.js';
import type { Alternative } from '../../src/metrics/index.js';
import { metricsErrorCodes } from '../../src/metrics/messages.js';
import { createRng } from '../../src/core/rng.js';
import { readOracleJson } from '../helpers/oracle.js';

interface Result {
  statistic: number;
  pvalue: number;
}
type StatsCase = { name: string; a: number[]; b: number[] } & Record<string, Result>;
const oracle = readOracleJson<{ about: string; cases: StatsCase[]; holm: { pvalues: number[]; adjusted: number[] } }>('stats.json');
const alternatives: Alternative[] = ['two-sided', 'greater', 'less'];

function relClose(actual: number, expected: number, rel: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('tests against scipy 1.10.1 (oracle)', () => {
  it('has cases', () => expect(oracle.cases.length).toBeGreaterThan(3));
  for (const c of oracle.cases) {
    it(`${c.name}: paired t-test`, () => {
      for (const alternative of alternatives) {
        const expected = c[`ttest_rel_${alternative}`]!;
        const r = pairedTTest(c.a, c.b, { alternative });
        relClose(r.statistic, expected.statistic, 1e-9, `t ${alternative}`);
        relClose(r.pValue, expected.pvalue, 1e-6, `p ${alternative}`);
        expect(r.df).toBe(c.a.length - 1);
      }
    });
    it(`${c.name}: Wilcoxon signed-rank`, () => {
      for (const alternative of alternatives) {
        const expected = c[`wilcoxon_${alternative}`]!;
        const r = wilcoxonSignedRank(c.a, c.b, { alternative });
        expect(r.statistic).toBe(expected.statistic);
        if (r.method === 'exact') expect(r.pValue, `exact p ${alternative}`).toBe(expected.pvalue);
        else relClose(r.pValue, expected.pvalue, 1e-6, `approx p ${alternative}`);
      }
    });
    it(`${c.name}: one-sample t-test`, () => {
      let checked = 0;
      for (const [key, expected] of Object.entries(c)) {
        const m = /^ttest_1samp_mu([0-9.]+)_(two-sided|greater|less)$/.exec(key);
        if (!m) continue;
        const r = oneSampleTTest(c.a, { mu: Number(m[1]), alternative: m[2] as Alternative });
        relClose(r.statistic, (expected as Result).statistic, 1e-9, key);
        relClose(r.pValue, (expected as Result).pvalue, 1e-6, key);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
  it('uses the exact distribution for small samples without zeros and the normal approximation otherwise', () => {
    const methods = oracle.cases.map((c) => {
      const zeros = c.a.some((v, i) => v - c.b[i]! === 0);
      const r = wilcoxonSignedRank(c.a, c.b);
      expect(r.method).toBe(c.a.length <= 50 && !zeros ? 'exact' : 'approx');
      if (zeros && c.a.length <= 50) expect(r.warnings.length).toBeGreaterThan(0);
      return r.method;
    });
    expect(methods).toContain('exact');
    expect(methods).toContain('approx');
  });
  it('holm', () => {
    const adjusted = holm(oracle.holm.pvalues);
    oracle.holm.adjusted.forEach((e, i) => relClose(adjusted[i]!, e, 1e-12, `holm ${i}`));
  });
});

/** The exact null distribution by brute force: all 2^n sign patterns of ranks 1..n. */
function bruteExactGreater(n: number, wPlus: number): number {
  let hits = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = 0;
    for (let k = 0; k < n; k++) if (mask & (1 << k)) s += k + 1;
    if (s >= wPlus) hits++;
  }
  return hits / 2 ** n;
}

describe('statistics properties', () => {
  it('exact Wilcoxon p-values equal a brute-force enumeration', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const n = 4 + rng.int(9);
      const d = Array.from({ length: n }, (_, i) => (i + 1) * (rng.uniform() < 0.5 ? -1 : 1) + rng.uniform() * 0.1);
      const r = wilcoxonSignedRank(d, undefined, { alternative: 'greater' });
      expect(r.method).toBe('exact');
      expect(r.pValue).toBe(bruteExactGreater(n, r.wPlus));
      expect(r.wPlus + r.wMinus).toBe((n * (n + 1)) / 2);
    }
  });
  it('one-sided t-test p-values of the two directions add up to 1', () => {
    const c = oracle.cases[1]!;
    const g = pairedTTest(c.a, c.b, { alternative: 'greater' });
    const l = pairedTTest(c.a, c.b, { alternative: 'less' });
    expect(g.pValue + l.pValue).toBeCloseTo(1, 12);
  });
  it('paired t-test is the one-sample t-test of the differences; d_z = t / sqrt(n)', () => {
    const c = oracle.cases[2]!;
    const diff = c.a.map((v, i) => v - c.b[i]!);
    const paired = pairedTTest(c.a, c.b);
    const one = oneSampleTTest(diff);
    expect(paired.statistic).toBeCloseTo(one.statistic, 12);
    expect(paired.effectSize).toBeCloseTo(paired.statistic / Math.sqrt(c.a.length), 12);
    expect(pairedCohensD(c.a, c.b)).toBeCloseTo(paired.effectSize, 12);
  });
  it('holm never lowers a p-value, keeps order and caps at 1', () => {
    const p = [0.5, 0.001, 0.04, 0.04, 0.9];
    const adj = holm(p);
    p.forEach((v, i) => expect(adj[i]).toBeGreaterThanOrEqual(v));
    expect(adj[1]).toBeCloseTo(0.005, 15);
    expect(Math.max(...adj)).toBeLessThanOrEqual(1);
    expect(() => holm([0.1, 1.5])).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
  });
  it('rejects degenerate inputs with typed errors', () => {
    expect(() => wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toThrow(expect.objectContaining({ code: metricsErrorCodes.allZeroDifferences }));
    expect(() => pairedTTest([1], [2])).toThrow(expect.objectContaining({ code: metricsErrorCodes.tooFew }));
    expect(() => pairedTTest([1, 2], [2])).toThrow(expect.objectContaining({ code: metricsErrorCodes.lengthMismatch }));
    expect(() => pairedTTest([1, 2], [2, 3], { alternative: 'bigger' as Alternative })).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
  });
});

describe('bootstrapCi', () => {
  const rng = createRng(11);
  const a = Float64Array.from({ length: 60 }, () => rng.normal() * 0.1 + 0.4);
  const b = Float64Array.from(a, (v) => v - 0.05 + rng.normal() * 0.02);
  it('repeats exactly with the same seed and differs with another', () => {
    const one = bootstrapCi(a, { seed: 42, resamples: 2000 });
    const two = bootstrapCi(a, { seed: 42, resamples: 2000 });
    const other = bootstrapCi(a, { seed: 43, resamples: 2000 });
    expect(two).toEqual(one);
    expect(other.lower === one.lower && other.upper === one.upper).toBe(false);
    expect(one.seed).toBe(42);
  });
  it('brackets the sample mean and narrows with confidence', () => {
    const wide = bootstrapCi(a, { seed: 1, resamples: 4000, confidence: 0.99 });
    const narrow = bootstrapCi(a, { seed: 1, resamples: 4000, confidence: 0.8 });
    expect(wide.lower).toBeLessThan(wide.estimate);
    expect(wide.upper).toBeGreaterThan(wide.estimate);
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
  });
  it('of a paired difference equals the interval of the differences', () => {
    const paired = bootstrapCi(a, { seed: 5, resamples: 1000, paired: b });
    const diff = bootstrapCi(Float64Array.from(a, (v, i) => v - b[i]!), { seed: 5, resamples: 1000 });
    expect(paired.statistic).toBe('mean-paired-difference');
    expect(paired.lower).toBe(diff.lower);
    expect(paired.upper).toBe(diff.upper);
    expect(paired.lower).toBeGreaterThan(0);
  });
  it('needs a seed', () => {
    expect(() => bootstrapCi(a, { seed: 1.5 })).toThrow(expect.objectContaining({ code: metricsErrorCodes.badOption }));
  });
});
