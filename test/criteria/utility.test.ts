import { describe, expect, it } from 'vitest';
import { criteriaStatisticsDefaults, evaluateUtility, scoreLocalization, type LocalizationScores } from '../../src/criteria/index.js';
import { holm, wilcoxonSignedRank } from '../../src/metrics/index.js';
import { blobMap, maskMap, noiseMap, squareMask } from './helpers.js';

const stats = { ...criteriaStatisticsDefaults, resamples: 200 };
const N = 12;
const masks = Array.from({ length: N }, (_, i) => squareMask(2 + i, 4 + (i % 5), 8));
const ids = masks.map((_, i) => `img-${i}`);
const score = (make: (i: number) => ReturnType<typeof maskMap>): LocalizationScores[] => masks.map((m, i) => scoreLocalization(make(i), m));

const perfect = score((i) => maskMap(masks[i]!));
const blurred = score((i) => blobMap(6 + i, 8 + (i % 5), 6));
const noise = score((i) => noiseMap(100 + i));

describe('evaluateUtility', () => {
  it('passes a perfect map against a worse network under both rules', () => {
    for (const rule of ['mean-at-least', 'not-significantly-worse'] as const) {
      const r = evaluateUtility(
        { imageIds: ids, trained: [{ method: 'perfect', model: 'm', scores: perfect }], network: { method: 'unet', model: 'unet-1', scores: blurred } },
        { rule, statistics: stats },
      );
      expect(r.methods[0]!.trained.auprc.mean).toBe(1);
      expect(r.methods[0]!.pass).toBe(true);
      expect(r.rule).toBe(`utility/${rule}`);
    }
  });

  it('fails noise maps against a perfect network and wires the tests', () => {
    const r = evaluateUtility(
      {
        imageIds: ids,
        trained: [
          { method: 'noise', model: 'm', scores: noise },
          { method: 'blob', model: 'm', scores: blurred },
        ],
        randomized: [{ method: 'noise', model: 'm-random', scores: noise }],
        network: { method: 'unet', model: 'unet-1', scores: perfect },
        prior: { method: 'average-mask', model: 'train+val', scores: blurred },
      },
      { rule: 'not-significantly-worse', statistics: stats },
    );
    const networkAuprc = perfect.map((s) => s.auprc);
    const raw = [noise, blurred].map((series) => wilcoxonSignedRank(networkAuprc, series.map((s) => s.auprc), { alternative: 'greater' }).pValue);
    const adjusted = holm(raw);
    r.methods.forEach((m, i) => {
      expect(m.vsNetwork.pValue).toBe(raw[i]);
      expect(m.vsNetwork.adjustedPValue).toBe(adjusted[i]);
    });
    expect(r.methods[0]!.pass).toBe(false);
    expect(r.methods[0]!.randomized).not.toBeNull();
    expect(r.methods[1]!.randomized).toBeNull();
    expect(r.methods[1]!.vsPrior!.n).toBe(N);
    expect(r.prior!.summary.auprc.mean).toBeCloseTo(r.methods[1]!.trained.auprc.mean, 12);
    expect(r.ruleText).toMatch(/unet/);
    expect(JSON.parse(JSON.stringify(r)).methods[0].method).toBe('noise');
  });

  it('rejects misaligned series', () => {
    expect(() =>
      evaluateUtility({ imageIds: ids, trained: [{ method: 'x', model: 'm', scores: perfect.slice(1) }], network: { method: 'unet', model: 'u', scores: perfect } }, { rule: 'mean-at-least', statistics: stats }),
    ).toThrow(/has 11 values but there are 12 images/);
  });
});
