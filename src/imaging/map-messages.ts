/**
 * Message catalogue of the map post-processing and upsampling steps: every `UsageError` they raise is
 * built here, and tests assert on the stable codes in `mapErrorCodes`.
 */
import { UsageError } from '../core/errors.js';

/** Stable codes of the errors map post-processing raises. */
export const mapErrorCodes = {
  shape: 'map-shape',
  notFinite: 'map-not-finite',
  badOption: 'map-bad-option',
  empty: 'map-empty',
} as const;

/** Builds the errors of map post-processing; each message says what was expected and what to do. */
export const mapErrors = {
  shape(what: string, length: number, dims: string, expected: number): UsageError {
    return new UsageError(mapErrorCodes.shape, `${what}: ${length} values do not make a ${dims} map (${expected} values)`, {
      hint: 'width, height and channels must be positive integers whose product is the data length',
    });
  },
  notFinite(what: string, index: number, value: number): UsageError {
    return new UsageError(mapErrorCodes.notFinite, `${what}: value ${index} is ${value}; raw maps must be finite`, {
      hint: 'a NaN or infinite attribution means the saliency method or model failed on this image; check its logits and gradients',
    });
  },
  badOption(what: string, option: string, value: unknown, expected: string): UsageError {
    return new UsageError(mapErrorCodes.badOption, `${what}: option ${option} is ${JSON.stringify(value)}; expected ${expected}`);
  },
  empty(what: string): UsageError {
    return new UsageError(mapErrorCodes.empty, `${what}: the input is empty`, { hint: 'pass at least one value' });
  },
};
