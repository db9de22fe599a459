import { describe, expect, it } from 'vitest';
import { allPairs, buildVerdictTable, criteriaStatisticsDefaults, crossPairs, evaluateConsistency, formatVerdictTable, mapSsim } from '../../src/criteria/index.js';
import { blobMap, noiseMap, ssimBox } from './helpers.js';

const stats = { ...criteriaStatisticsDefaults, resamples: 200 };
const N = 12;
const ids = Array.from({ length: N }, (_, i) => `img-${i}`);
const maps = Array.from({ length: N }, (_, i) => blobMap(6 + i, 10, 4));

describe('evaluateConsistency', () => {
  it('lists all replicate pairs and all cross-architecture pairs', () => {
    expect(allPairs(['r1', 'r2', 'r3'])).toEqual([['r1', 'r2'], ['r1', 'r3'], ['r2', 'r3']]);
    expect(crossPairs(['r1', 'r2'], ['d1'])).toEqual([['r1', 'd1'], ['r2', 'd1']]);
  });

  it('gives identical maps across replicates repeatability 1 and passes both rules', () => {
    const same = Float64Array.from(maps, (m) => mapSsim(m, { ...m, data: Float32Array.from(m.data) }, ssimBox).ssim);
    expect([...same].every((v) => v === 1)).toBe(true);
    const reference = { method: 'unet', pairs: [{ a: 'u1', b: 'u2', ssim: new Float64Array(N).fill(0.9) }] };
    const r = evaluateConsistency('repeatability', ids, [{ method: 'grad-cam', pairs: allPairs(['r1', 'r2', 'r3']).map(([a, b]) => ({ a, b, ssim: same })) }], reference, {
      rule: 'both',
      threshold: 0.5,
      statistics: stats,
    });
    const m = r.methods[0]!;
    expect(m.summary.mean).toBe(1);
    expect(m.pairs).toHaveLength(3);
    expect(m).toMatchObject({ weakPass: true, strongPass: true, pass: true });
    expect(r.reference!.summary.mean).toBeCloseTo(0.9, 12);
    expect(r.weakRuleText).toMatch(/significantly above 0.5/);
    expect(r.strongRuleText).toMatch(/unet/);
  });

  it('fails unrelated maps on both rules and reports the strong rule as not evaluated without a reference', () => {
    const low = Float64Array.from(maps, (m, i) => mapSsim(m, noiseMap(i), ssimBox).ssim);
    const reference = { method: 'unet', pairs: [{ a: 'u1', b: 'u2', ssim: new Float64Array(N).fill(0.95) }] };
    const options = { rule: 'both' as const, threshold: 0.5, statistics: stats };
    const r = evaluateConsistency('reproducibility', ids, [{ method: 'gradient', pairs: [{ a: 'r1', b: 'd1', ssim: low }] }], reference, options);
    expect(r.methods[0]).toMatchObject({ weakPass: false, strongPass: false, pass: false });
    const noRef = evaluateConsistency('repeatability', ids, [{ method: 'gradient', pairs: [{ a: 'r1', b: 'd1', ssim: low }] }], null, options);
    expect(noRef.methods[0]).toMatchObject({ strong: null, strongPass: null, pass: null });
    const weakOnly = evaluateConsistency('reproducibility', ids, [{ method: 'gradient', pairs: [{ a: 'r1', b: 'd1', ssim: low }] }], null, { ...options, rule: 'weak' });
    expect(weakOnly.methods[0]!.pass).toBe(false);

    const table = buildVerdictTable({ reproducibility: r, repeatability: noRef });
    expect(table.criteria).toEqual(['repeatability', 'reproducibility']);
    expect(table.failedAny).toEqual(['gradient']);
    const cell = table.verdicts.find((v) => v.criterion === 'reproducibility')!;
    expect(cell).toMatchObject({ pass: false, rule: 'reproducibility/both' });
    expect(cell.numbers.referenceMeanSsim).toBeCloseTo(0.95, 12);
    expect(formatVerdictTable(table)).toBe(['method    repeatability    reproducibility', 'gradient  -                FAIL'].join('\n'));
  });
});
