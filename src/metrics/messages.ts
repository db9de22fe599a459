/**
 * The metrics layer's message catalogue: every `UsageError` a metric or test raises is built here, so
 * wording and hints live in one place and tests assert on the stable `code`, never on copied strings.
 */
import { UsageError } from '../core/errors.js';

/** Stable codes of the errors this layer raises. */
export const metricsErrorCodes = {
  lengthMismatch: 'metric-length-mismatch',
  empty: 'metric-empty-input',
  notFinite: 'metric-not-finite',
  noPositives: 'metric-no-positives',
  singleClass: 'metric-single-class',
  badOption: 'metric-bad-option',
  mapSize: 'metric-map-size',
  zeroMap: 'metric-zero-map',
  allZeroDifferences: 'stats-all-zero-differences',
  tooFew: 'stats-too-few-values',
} as const;

/** Builds the layer's errors; each message says what was expected and what to do. */
export const metricsErrors = {
  lengthMismatch(what: string, a: number, b: number): UsageError {
    return new UsageError(metricsErrorCodes.lengthMismatch, `${what}: the two inputs have ${a} and ${b} values; they must be the same length`, {
      hint: 'pass the map and its ground truth (or the two paired samples) at the same size and in the same order',
    });
  },
  empty(what: string): UsageError {
    return new UsageError(metricsErrorCodes.empty, `${what}: the input is empty`, { hint: 'pass at least one value' });
  },
  notFinite(what: string, index: number, value: number): UsageError {
    return new UsageError(metricsErrorCodes.notFinite, `${what}: value ${index} is ${value}; every value must be a finite number`, {
      hint: 'a degenerate (constant) map post-processed with the NaN policy has no score; exclude it before scoring',
    });
  },
  noPositives(what: string, size: number): UsageError {
    return new UsageError(metricsErrorCodes.noPositives, `${what}: the ground truth has no positive pixel among ${size}, so the score is undefined`, {
      hint: "score only ground-truth-positive images (as the paper does), or pass { onNoPositives: 'nan' } to get NaN and exclude it",
    });
  },
  singleClass(what: string, positives: number, negatives: number): UsageError {
    return new UsageError(metricsErrorCodes.singleClass, `${what}: needs both classes, got ${positives} positive and ${negatives} negative values`, {
      hint: "pass { onSingleClass: 'nan' } to get NaN instead",
    });
  },
  badOption(what: string, option: string, value: unknown, expected: string): UsageError {
    return new UsageError(metricsErrorCodes.badOption, `${what}: option ${option} is ${JSON.stringify(value)}; expected ${expected}`);
  },
  mapSize(what: string, length: number, width: number, height: number): UsageError {
    return new UsageError(metricsErrorCodes.mapSize, `${what}: ${length} values do not make a ${width}x${height} map (${width * height} values)`, {
      hint: 'width and height must be positive integers whose product is the array length',
    });
  },
  zeroMap(what: string): UsageError {
    return new UsageError(metricsErrorCodes.zeroMap, `${what}: the map sums to zero, so the fraction of its energy inside the mask is undefined`, {
      hint: "pass { onZeroMap: 'nan' } to get NaN instead",
    });
  },
  allZeroDifferences(n: number): UsageError {
    return new UsageError(metricsErrorCodes.allZeroDifferences, `wilcoxonSignedRank: all ${n} paired differences are zero, so the test is undefined (as in scipy)`, {
      hint: 'the two samples are identical; there is nothing to test',
    });
  },
  tooFew(what: string, n: number, needed: number): UsageError {
    return new UsageError(metricsErrorCodes.tooFew, `${what}: needs at least ${needed} values, got ${n}`);
  },
};
