import { describe, expect, it } from 'vitest';
import { auprc, averagePrecision, rankingScores, rocAuc } from '../../src/metrics/index.js';
import { metricsErrorCodes } from '../../src/metrics/messages.js';
import { createRng } from '../../src/core/rng.js';
import { UsageError } from '../../src/core/errors.js';
import { decodeArray, readOracleJson } from '../helpers/oracle.js';

type Encoded = { dtype: string; shape: number[]; b64: string };
interface AuprcCase {
  name: string;
  scores: Encoded;
  labels: Encoded;
  auprc_trapezoid: number;
  average_precision: number;
}
const oracle = readOracleJson<{ about: string; cases: AuprcCase[] }>('auprc.json');

function relClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('auprc and averagePrecision against scikit-learn 1.2.1 (oracle)', () => {
  it('has cases', () => expect(oracle.cases.length).toBeGreaterThan(5));
  for (const c of oracle.cases) {
    it(c.name, () => {
      const scores = decodeArray(c.scores).data;
      const labels = decodeArray(c.labels).data;
      relClose(auprc(scores, labels), c.auprc_trapezoid, 1e-9);
      relClose(averagePrecision(scores, labels), c.average_precision, 1e-9);
      const all = rankingScores(scores, labels);
      relClose(all.auprc, c.auprc_trapezoid, 1e-9);
      relClose(all.averagePrecision, c.average_precision, 1e-9);
      // The same arrays as float64 and as plain arrays give the same numbers (float32 values are exact in float64).
      relClose(auprc(Float64Array.from(scores), Array.from(labels)), c.auprc_trapezoid, 1e-9);
    });
  }
});

/** ROC AUC by its definition: P(score of a random positive > random negative) + half the ties. */
function bruteRocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 0) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('equals the pairwise (Mann-Whitney) definition on the oracle inputs, ties included', () => {
    for (const c of oracle.cases.filter((k) => decodeArray(k.scores).data.length <= 5000)) {
      const scores = decodeArray(c.scores).data;
      const labels = decodeArray(c.labels).data;
      const negatives = Array.from(labels).filter((l) => l === 0).length;
      if (negatives === 0) continue;
      relClose(rocAuc(scores, labels), bruteRocAuc(scores, labels), 1e-12);
    }
  });
  it('needs both classes', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(UsageError);
    expect(rocAuc([0.1, 0.2], [1, 1], { onSingleClass: 'nan' })).toBeNaN();
  });
});

/** scikit-learn's PR curve by its definition: for each distinct score, count the pixels at or above it. */
function naiveCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): { trapezoid: number; stepwise: number } {
  const thresholds = [...new Set(Array.from(scores, (v) => (v === 0 ? 0 : v)))].sort((x, y) => y - x);
  const positives = Array.from(labels).filter((l) => l !== 0).length;
  let prevRecall = 0;
  let prevPrecision = 1;
  let trapezoid = 0;
  let stepwise = 0;
  for (const t of thresholds) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! >= t) {
        if (labels[i] !== 0) tp++;
        else fp++;
      }
    }
    const recall = tp / positives;
    const precision = tp / (tp + fp);
    trapezoid += ((recall - prevRecall) * (precision + prevPrecision)) / 2;
    stepwise += (recall - prevRecall) * precision;
    [prevRecall, prevPrecision] = [recall, precision];
    if (tp === positives) break;
  }
  return { trapezoid, stepwise };
}

describe('both sorting paths against the definition', () => {
  const rng = createRng(5);
  const n = 1500; // both classes above the radix cut-off (256)
  const labels = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
  // Coarse values give ties; signed zeros must tie with each other; negative scores must sort below.
  const coarse = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 6) / 7);
  coarse[3] = -0;
  coarse[4] = 0;
  const fine = Float64Array.from(coarse, (v) => v + (rng.uniform() < 0.5 ? 0 : 1e-12));
  const cases: [string, ArrayLike<number>][] = [
    ['float32 keys (radix)', Float32Array.from(coarse)],
    ['float64 values (native sort)', fine],
    ['plain array', Array.from(fine)],
  ];
  for (const [name, scores] of cases) {
    it(name, () => {
      const expected = naiveCurve(scores, labels);
      relClose(auprc(scores, labels), expected.trapezoid, 1e-12);
      relClose(averagePrecision(scores, labels), expected.stepwise, 1e-12);
      relClose(rocAuc(scores, labels), bruteRocAuc(scores, labels), 1e-12);
    });
  }
});

describe('properties', () => {
  const rng = createRng(7);
  const n = 2000;
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.uniform() < 0.2 ? 1 : 0;
    scores[i] = labels[i]! * 0.3 + rng.uniform();
  }

  it('a perfect map scores 1 on every ranking metric', () => {
    const perfect = Float64Array.from(labels, (l, i) => l * 10 + (i % 7) / 100);
    expect(auprc(perfect, labels)).toBe(1);
    expect(averagePrecision(perfect, labels)).toBe(1);
    expect(rocAuc(perfect, labels)).toBe(1);
  });

  it('is invariant to strictly increasing transforms of the scores', () => {
    const base = rankingScores(scores, labels);
    for (const f of [(x: number) => Math.exp(3 * x), (x: number) => 5 * x - 2, (x: number) => Math.atan(x)]) {
      const t = rankingScores(scores.map(f), labels);
      relClose(t.auprc, base.auprc, 1e-12);
      relClose(t.averagePrecision, base.averagePrecision, 1e-12);
      relClose(t.rocAuc, base.rocAuc, 1e-12);
    }
  });

  it('does not depend on the order of the pixels', () => {
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const s2 = Float64Array.from(order, (i) => scores[i]!);
    const l2 = Uint8Array.from(order, (i) => labels[i]!);
    relClose(auprc(s2, l2), auprc(scores, labels), 1e-12);
  });

  it('treats any non-zero label as positive', () => {
    const l255 = labels.map((l) => l * 255);
    expect(auprc(scores, l255)).toBe(auprc(scores, labels));
  });

  it('collapses ties: a fully tied map has one PR point joined to (0, 1)', () => {
    const tied = new Float32Array(n).fill(0.5);
    const prevalence = labels.reduce((s, l) => s + l, 0) / n;
    relClose(auprc(tied, labels), (1 + prevalence) / 2, 1e-12);
    relClose(averagePrecision(tied, labels), prevalence, 1e-12);
    expect(rankingScores(tied, labels).distinctScores).toBe(1);
  });
});

describe('undefined cases', () => {
  it('an image without positives is an error by default and NaN with a reason on request', () => {
    const scores = [0.1, 0.5, 0.2];
    const none = [0, 0, 0];
    expect(() => auprc(scores, none)).toThrow(expect.objectContaining({ code: metricsErrorCodes.noPositives }));
    expect(() => averagePrecision(scores, none)).toThrow(UsageError);
    expect(auprc(scores, none, { onNoPositives: 'nan' })).toBeNaN();
    const detailed = rankingScores(scores, none, { onNoPositives: 'nan' });
    expect(detailed.auprc).toBeNaN();
    expect(detailed.undefinedReasons.length).toBeGreaterThan(0);
  });
  it('rejects mismatched lengths, empty input and NaN scores', () => {
    expect(() => auprc([0.1, 0.2], [1])).toThrow(expect.objectContaining({ code: metricsErrorCodes.lengthMismatch }));
    expect(() => auprc([], [])).toThrow(expect.objectContaining({ code: metricsErrorCodes.empty }));
    expect(() => auprc(new Float32Array([0.1, NaN, 0.3]), [1, 0, 1])).toThrow(expect.objectContaining({ code: metricsErrorCodes.notFinite }));
    expect(() => auprc([0.1, 0.3], [1, NaN])).toThrow(expect.objectContaining({ code: metricsErrorCodes.notFinite }));
  });
});
