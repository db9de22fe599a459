import { describe, expect, it } from 'vitest';
import { adjustFamily, criteriaStatisticsDefaults, oneSampleComparison, pairedComparison, summarizeScores } from '../../src/criteria/index.js';
import { bootstrapCi, holm, oneSampleTTest, pairedTTest, wilcoxonSignedRank } from '../../src/metrics/index.js';

const stats = { ...criteriaStatisticsDefaults, resamples: 500, seed: 7 };
const a = [0.61, 0.72, 0.55, 0.8, 0.67, 0.9, 0.58, 0.74, 0.69, 0.77, 0.63, 0.71];
const b = [0.41, 0.52, 0.57, 0.5, 0.49, 0.62, 0.38, 0.54, 0.44, 0.6, 0.47, 0.5];

describe('criteria statistics', () => {
  it('wires the paired tests to the metrics functions', () => {
    const w = pairedComparison(a, b, 'greater', 'a > b', stats);
    const direct = wilcoxonSignedRank(a, b, { alternative: 'greater' });
    expect(w).toMatchObject({ test: 'wilcoxon-signed-rank', pValue: direct.pValue, statistic: direct.statistic, effectSize: direct.rankBiserial, n: 12 });
    const t = pairedComparison(a, b, 'greater', 'a > b', { ...stats, test: 't' });
    const directT = pairedTTest(a, b, { alternative: 'greater' });
    expect(t).toMatchObject({ test: 'paired-t', pValue: directT.pValue, statistic: directT.statistic, estimate: directT.estimate });
    const ci = bootstrapCi(a, { paired: b, seed: 7, resamples: 500, confidence: 0.95 });
    expect(t.ci).toMatchObject({ lower: ci.lower, upper: ci.upper });
  });

  it('drops pairs with a NaN side and counts them', () => {
    const r = pairedComparison([...a, NaN, 0.5], [...b, 0.3, NaN], 'greater', 'a > b', stats);
    expect(r.n).toBe(12);
    expect(r.excluded).toBe(2);
    expect(r.pValue).toBe(wilcoxonSignedRank(a, b, { alternative: 'greater' }).pValue);
  });

  it('wires the one-sample tests to the metrics functions', () => {
    const t = oneSampleComparison(a, 0.5, 'greater', 'a > 0.5', { ...stats, test: 't' });
    expect(t.pValue).toBe(oneSampleTTest(a, { mu: 0.5, alternative: 'greater' }).pValue);
    expect(t.estimate).toBeCloseTo(a.reduce((s, v) => s + v, 0) / a.length - 0.5, 12);
    const w = oneSampleComparison(a, 0.5, 'greater', 'a > 0.5', stats);
    expect(w.pValue).toBe(wilcoxonSignedRank(a.map((v) => v - 0.5), undefined, { alternative: 'greater' }).pValue);
  });

  it('reports undefined tests instead of throwing', () => {
    expect(pairedComparison(a, a, 'greater', 'same', stats)).toMatchObject({ pValue: NaN, significant: false });
    expect(oneSampleComparison([0.3], 0.5, 'less', 'one', stats).warnings[0]).toMatch(/undefined/);
  });

  it('applies Holm across a family exactly as metrics.holm', () => {
    const records = [pairedComparison(a, b, 'greater', '1', stats), pairedComparison(b, a, 'greater', '2', stats), pairedComparison(a, b.map((v) => v + 0.1), 'greater', '3', stats)];
    const adjusted = adjustFamily(records);
    const expected = holm(records.map((r) => r.pValue));
    adjusted.forEach((r, i) => {
      expect(r.adjustedPValue).toBe(expected[i]);
      expect(r.family).toBe(3);
      expect(r.significant).toBe(expected[i]! < stats.alpha);
    });
    const none = adjustFamily(records.map((r) => ({ ...r, correction: 'none' as const })));
    none.forEach((r, i) => expect(r.adjustedPValue).toBe(records[i]!.pValue));
  });

  it('summarises with NaN excluded and a seeded bootstrap interval', () => {
    const s = summarizeScores([1, 2, NaN, 3, 4], stats);
    expect(s).toMatchObject({ n: 4, excluded: 1, mean: 2.5, median: 2.5, min: 1, max: 4 });
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    const ci = bootstrapCi([1, 2, 3, 4], { seed: 7, resamples: 500, confidence: 0.95 });
    expect(s.ci).toEqual({ lower: ci.lower, upper: ci.upper, confidence: 0.95, resamples: 500, seed: 7 });
    expect(summarizeScores([NaN], stats)).toMatchObject({ n: 0, excluded: 1, ci: null });
  });
});
