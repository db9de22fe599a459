/**
 * The verdict table: method x criterion, pass or fail, with the numbers and the rule that decided it.
 * Built from the four criteria's results; a criterion that was not run is left out, one whose rule could
 * not be evaluated (no reference) has `pass: null`.
 */
import type { ConsistencyResult } from './consistency.js';
import type { RandomizationResult } from './randomization.js';
import type { UtilityResult } from './utility.js';

/** The four criteria of Arun et al. 2021, in the paper's order. */
export type CriterionId = 'utility' | 'randomization' | 'repeatability' | 'reproducibility';

/** Every criterion id, in the paper's order. */
export const criterionIds: readonly CriterionId[] = Object.freeze(['utility', 'randomization', 'repeatability', 'reproducibility']);

/** One cell of the table. */
export interface Verdict {
  readonly method: string;
  readonly criterion: CriterionId;
  /** null: the rule could not be evaluated (e.g. no localization-network reference). */
  readonly pass: boolean | null;
  /** Machine id of the rule, e.g. `randomization/paper`. */
  readonly rule: string;
  /** The rule in words. */
  readonly ruleText: string;
  /** The numbers behind the decision, by name. */
  readonly numbers: Readonly<Record<string, number | string | boolean | null>>;
  /** One sentence with the numbers that decided. */
  readonly reason: string;
}

/** The verdict table with per-method totals. */
export interface VerdictTable {
  readonly methods: readonly string[];
  readonly criteria: readonly CriterionId[];
  readonly verdicts: readonly Verdict[];
  /** Methods that failed at least one evaluated criterion. */
  readonly failedAny: readonly string[];
  /** Methods that passed every evaluated criterion. */
  readonly passedAll: readonly string[];
}

/** The criteria results a verdict table is built from; any may be missing. */
export interface CriteriaResults {
  readonly utility?: UtilityResult;
  readonly randomization?: RandomizationResult;
  readonly repeatability?: ConsistencyResult;
  readonly reproducibility?: ConsistencyResult;
}

function consistencyVerdicts(result: ConsistencyResult): Verdict[] {
  return result.methods.map((m) => ({
    method: m.method,
    criterion: result.criterion,
    pass: m.pass,
    rule: result.rule,
    ruleText: result.ruleText,
    numbers: {
      meanSsim: m.summary.mean,
      medianSsim: m.summary.median,
      threshold: result.threshold,
      weakPValue: m.weak.adjustedPValue,
      weakPass: m.weakPass,
      reference: result.reference?.method ?? null,
      referenceMeanSsim: result.reference?.summary.mean ?? null,
      strongPValue: m.strong?.adjustedPValue ?? null,
      strongPass: m.strongPass,
      images: m.summary.n,
    },
    reason: m.reason,
  }));
}

/** Builds the method x criterion table from whichever criteria results are given. */
export function buildVerdictTable(results: CriteriaResults): VerdictTable {
  const verdicts: Verdict[] = [];
  const { utility, randomization, repeatability, reproducibility } = results;
  if (utility) {
    for (const m of utility.methods) {
      verdicts.push({
        method: m.method,
        criterion: 'utility',
        pass: m.pass,
        rule: utility.rule,
        ruleText: utility.ruleText,
        numbers: {
          meanAuprc: m.trained.auprc.mean,
          medianAuprc: m.trained.auprc.median,
          network: utility.network.method,
          networkMeanAuprc: utility.network.summary.auprc.mean,
          pValue: m.vsNetwork.adjustedPValue,
          alpha: m.vsNetwork.alpha,
          randomizedMeanAuprc: m.randomized?.auprc.mean ?? null,
          priorMeanAuprc: utility.prior?.summary.auprc.mean ?? null,
          images: m.trained.auprc.n,
        },
        reason: m.reason,
      });
    }
  }
  if (randomization) {
    for (const m of randomization.methods) {
      verdicts.push({
        method: m.method,
        criterion: 'randomization',
        pass: m.pass,
        rule: randomization.rule,
        ruleText: randomization.ruleText,
        numbers: {
          baseline: m.baseline.value,
          firstStateBelow: m.paperRule.firstStateBelow,
          minimumMeanSsim: m.paperRule.minimum,
          minimumState: m.paperRule.minimumState,
          testState: m.testState,
          pValue: m.test.adjustedPValue,
          alpha: m.test.alpha,
          paperRulePass: m.paperRule.pass,
          testPass: m.test.significant,
        },
        reason: m.reason,
      });
    }
  }
  if (repeatability) verdicts.push(...consistencyVerdicts(repeatability));
  if (reproducibility) verdicts.push(...consistencyVerdicts(reproducibility));
  const methods: string[] = [];
  for (const v of verdicts) if (!methods.includes(v.method)) methods.push(v.method);
  const criteria = criterionIds.filter((c) => verdicts.some((v) => v.criterion === c));
  const failedAny = methods.filter((m) => verdicts.some((v) => v.method === m && v.pass === false));
  const passedAll = methods.filter((m) => verdicts.filter((v) => v.method === m).every((v) => v.pass === true));
  return { methods, criteria, verdicts, failedAny, passedAll };
}

/** The table as plain text (methods as rows, P / F / - per criterion), for logs and terminals. */
export function formatVerdictTable(table: VerdictTable): string {
  const width = Math.max(6, ...table.methods.map((m) => m.length));
  const header = ['method'.padEnd(width), ...table.criteria.map((c) => c.padEnd(15))].join('  ');
  const lines = table.methods.map((m) => {
    const cells = table.criteria.map((c) => {
      const v = table.verdicts.find((x) => x.method === m && x.criterion === c);
      return (v === undefined || v.pass === null ? '-' : v.pass ? 'pass' : 'FAIL').padEnd(15);
    });
    return [m.padEnd(width), ...cells].join('  ');
  });
  return [header, ...lines].map((l) => l.trimEnd()).join('\n');
}
