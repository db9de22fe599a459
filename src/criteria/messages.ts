/**
 * The criteria layer's message catalogue: every error this layer raises and every human-readable rule
 * text a verdict carries is built here, so wording lives in one place and tests assert on codes.
 */
import { UsageError } from '../core/errors.js';

/** Stable codes of the errors this layer raises. */
export const criteriaErrorCodes = {
  lengthMismatch: 'criteria-length-mismatch',
  sizeMismatch: 'criteria-size-mismatch',
  noGroundTruth: 'criteria-no-ground-truth',
  tooFewImages: 'criteria-too-few-images',
  badOption: 'criteria-bad-option',
  noStates: 'criteria-no-states',
  emptyAccumulator: 'criteria-empty-average-mask',
  duplicateMethod: 'criteria-duplicate-method',
} as const;

/** Builds the layer's errors; each message says what was expected and what to do. */
export const criteriaErrors = {
  lengthMismatch(what: string, name: string, got: number, expected: number): UsageError {
    return new UsageError(criteriaErrorCodes.lengthMismatch, `${what}: ${name} has ${got} values but there are ${expected} images`, {
      hint: 'pass one score per image, in the order of imageIds (NaN for an image without a score)',
    });
  },
  sizeMismatch(what: string, a: string, b: string): UsageError {
    return new UsageError(criteriaErrorCodes.sizeMismatch, `${what}: a ${a} map cannot be compared with a ${b} one`, {
      hint: 'resize maps and ground truth to the model input size first (imaging/resize)',
    });
  },
  noGroundTruth(what: string): UsageError {
    return new UsageError(criteriaErrorCodes.noGroundTruth, `${what}: the image has no ground truth (kind "none")`, {
      hint: 'utility is scored on ground-truth-positive images only, as in the paper',
    });
  },
  tooFewImages(what: string, n: number, needed: number): UsageError {
    return new UsageError(criteriaErrorCodes.tooFewImages, `${what}: needs at least ${needed} images, got ${n}`);
  },
  badOption(what: string, option: string, value: unknown, expected: string): UsageError {
    return new UsageError(criteriaErrorCodes.badOption, `${what}: option ${option} is ${JSON.stringify(value)}; expected ${expected}`);
  },
  noStates(method: string): UsageError {
    return new UsageError(criteriaErrorCodes.noStates, `randomization of ${method}: no randomization state after Original`, {
      hint: "pass the states top-down, e.g. ['logits', 'mixed10', ..., 'mixed1']",
    });
  },
  emptyAccumulator(): UsageError {
    return new UsageError(criteriaErrorCodes.emptyAccumulator, 'the average mask has no ground truth added yet', {
      hint: 'add the ground truth of every train and validation image before taking the result',
    });
  },
  duplicateMethod(what: string, method: string): UsageError {
    return new UsageError(criteriaErrorCodes.duplicateMethod, `${what}: method "${method}" appears twice`);
  },
};

/** Describes a test configuration in words, e.g. `one-sided paired Wilcoxon signed-rank test, Holm-adjusted p < 0.005`. */
export function describeTest(kind: 'paired' | 'one-sample', test: 'wilcoxon' | 't', correction: 'holm' | 'none', alpha: number): string {
  const name = test === 't' ? (kind === 'paired' ? 'paired t-test' : 'one-sample t-test') : kind === 'paired' ? 'paired Wilcoxon signed-rank test' : 'one-sample Wilcoxon signed-rank test';
  return `one-sided ${name}, ${correction === 'holm' ? 'Holm-adjusted ' : ''}p < ${alpha}`;
}

/** The human-readable pass rules of the four criteria; verdicts quote them. */
export const ruleTexts = {
  utilityMeanAtLeast: (network: string, test: string): string =>
    `pass if the method's mean per-image AUPRC is at least the ${network} localization network's (Arun et al. 2021); the ${test} that ${network} is better is reported beside it`,
  utilityNotWorse: (network: string, test: string): string =>
    `pass unless the ${network} localization network's per-image AUPRC is significantly higher (${test})`,
  randomizationPaper: (): string =>
    'pass if the mean SSIM curve over replicates drops below the randomization baseline at some randomized state (Arun et al. 2021)',
  randomizationTest: (state: string, test: string): string =>
    `pass if the per-image SSIM at the ${state} state is significantly below the randomization baseline (${test})`,
  randomizationBoth: (state: string, test: string): string =>
    `pass if the mean SSIM curve drops below the randomization baseline at some state AND the per-image SSIM at the ${state} state is significantly below it (${test})`,
  consistencyWeak: (criterion: string, threshold: number, test: string): string =>
    `weak ${criterion}: pass if per-image SSIM is significantly above ${threshold} (${test})`,
  consistencyStrong: (criterion: string, reference: string, test: string): string =>
    `strong ${criterion}: pass unless per-image SSIM is significantly below the ${reference} replicate-vs-replicate SSIM (${test})`,
  consistencyBoth: (criterion: string, threshold: number, reference: string): string =>
    `${criterion}: pass only if both the weak rule (significantly above ${threshold}) and the strong rule (not significantly below ${reference}) pass`,
  consistencyNoReference: (criterion: string): string => `strong ${criterion}: not evaluated, no localization-network reference was given`,
};
