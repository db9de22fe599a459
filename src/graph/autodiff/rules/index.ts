/**
 * The registry of gradient rules: a frozen map from ONNX op type to its `GradientRule`. Each rule lives
 * in its own file in this folder; adding one is one import line and one entry in `allRules`.
 */
import type { GradientRule } from '../rule.js';
import { averagePoolRule, globalAveragePoolRule } from './average-pool.js';
import { batchNormalizationRule } from './batch-normalization.js';
import { concatRule } from './concat.js';
import { convRule } from './conv.js';
import { flattenRule } from './flatten.js';
import { gemmRule } from './gemm.js';
import { identityRule } from './identity.js';
import { maxPoolRule } from './max-pool.js';
import { reduceMeanRule } from './reduce-mean.js';
import { reluRule } from './relu.js';
import { arithmeticRule } from './arithmetic.js';
import { clipRule } from './clip.js';
import { convTransposeRule } from './conv-transpose.js';
import { gatherRule } from './gather.js';
import { globalMaxPoolRule } from './global-max-pool.js';
import { leakyReluRule } from './leaky-relu.js';
import { matMulRule } from './matmul.js';
import { padRule } from './pad.js';
import { reduceSumRule } from './reduce-sum.js';
import { reshapeRule } from './reshape.js';
import { resizeRule } from './resize.js';
import { sigmoidRule } from './sigmoid.js';
import { sliceRule } from './slice.js';
import { logSoftmaxRule, softmaxRule } from './softmax.js';
import { splitRule } from './split.js';
import { tanhRule } from './tanh.js';
import { transposeRule } from './transpose.js';

// One entry per rule file; keep one rule per line so parallel edits merge cleanly.
const allRules: readonly GradientRule[] = [
  averagePoolRule,
  globalAveragePoolRule,
  batchNormalizationRule,
  concatRule,
  convRule,
  flattenRule,
  gemmRule,
  identityRule,
  maxPoolRule,
  reduceMeanRule,
  reluRule,
  arithmeticRule,
  clipRule,
  convTransposeRule,
  gatherRule,
  globalMaxPoolRule,
  leakyReluRule,
  matMulRule,
  padRule,
  reduceSumRule,
  reshapeRule,
  resizeRule,
  sigmoidRule,
  sliceRule,
  softmaxRule,
  logSoftmaxRule,
  splitRule,
  tanhRule,
  transposeRule,
];

function buildRegistry(rules: readonly GradientRule[]): Readonly<Record<string, GradientRule>> {
  const table: Record<string, GradientRule> = Object.create(null) as Record<string, GradientRule>;
  for (const rule of rules) {
    for (const op of rule.opTypes) {
      if (table[op]) throw new Error(`two gradient rules claim op ${op}`);
      table[op] = rule;
    }
  }
  return Object.freeze(table);
}

/** Gradient rules by ONNX op type (default domain). */
export const gradientRules: Readonly<Record<string, GradientRule>> = buildRegistry(allRules);

/** The op types that have a gradient rule, sorted. */
export const supportedOps: readonly string[] = Object.freeze(Object.keys(gradientRules).sort());
