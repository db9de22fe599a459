/**
 * The audit's score steps: the four criteria computed from the cached map files, one image at a time,
 * each returning its criterion result, its verdicts (decided here, before the result is serialised, so a
 * resumed run decides from the same numbers) and its per-image rows.
 */
import type { Mask } from '../../core/types.js';
import type { AuditConfig, CriteriaSettings } from '../../config/index.js';
import {
  allPairs,
  buildVerdictTable,
  crossPairs,
  evaluateConsistency,
  evaluateRandomization,
  evaluateUtility,
  localizationRows,
  mapSsim,
  meanLocalizationScores,
  randomizationBaseline,
  scoreLocalization,
  ssimRows,
  type ConsistencyCriterion,
  type ConsistencyInput,
  type LocalizationScores,
  type MapSsimOptions,
  type PerImageRow,
  type RandomizationInput,
  type UtilitySeries,
  type Verdict,
} from '../../criteria/index.js';
import { openMapReader, type MapReader } from './map-store.js';

/** Where the cached maps are: a classifier's maps by state and method, a localization network's maps, the data files. */
export interface MapLocator {
  readonly size: number;
  readonly keys: readonly string[];
  readonly truth: string;
  readonly prior: string;
  classifier(model: string, state: string, method: string): string;
  localization(model: string): string;
  /** Randomization state names of a replicate, `original` first. */
  states(model: string): readonly string[];
}

/** The models of an audit by role. */
export interface AuditRoster {
  readonly replicates: readonly string[];
  readonly others: readonly string[];
  readonly localization: readonly string[];
  readonly localizationName: string;
}

/** What a score step returns. */
export interface ScoreOutput<R> {
  readonly result: R;
  readonly verdicts: readonly Verdict[];
  readonly rows: readonly PerImageRow[];
}

function withReaders<T>(files: readonly string[], size: number, use: (readers: MapReader[]) => T): T {
  const readers: MapReader[] = [];
  try {
    for (const f of files) readers.push(openMapReader(f, size, size));
    return use(readers);
  } finally {
    for (const r of readers) r.close();
  }
}

function toMask(data: Float32Array, size: number): Mask {
  return { data: Uint8Array.from(data, (v) => (v > 0.5 ? 1 : 0)), width: size, height: size };
}

/** Per-image localization scores of one map file against the ground truth. */
function scoreFile(file: string, at: MapLocator, settings: CriteriaSettings, single = false): LocalizationScores[] {
  return withReaders([file, at.truth], at.size, ([maps, truth]) =>
    at.keys.map((_, i) => scoreLocalization(maps!.get(single ? 0 : i), toMask(truth!.get(i).data, at.size), settings.localization)),
  );
}

/** Utility: trained and fully randomized maps of each method, the localization network and the average-mask prior. */
export function scoreUtility(config: AuditConfig, settings: CriteriaSettings, at: MapLocator, roster: AuditRoster): ScoreOutput<ReturnType<typeof evaluateUtility>> {
  const rows: PerImageRow[] = [];
  const mean = config.criteria.utility.replicates === 'mean';
  const used = mean ? roster.replicates : roster.replicates.slice(0, 1);
  const label = mean ? `${used.join('+')} (mean)` : used[0]!;
  const series = (method: string, state: 'trained' | 'fully-randomized'): UtilitySeries => {
    const perModel = used.map((model) => {
      const states = at.states(model);
      const stateName = state === 'trained' ? states[0]! : states[states.length - 1]!;
      const scores = scoreFile(at.classifier(model, stateName, method), at, settings);
      rows.push(...localizationRows(at.keys, { method, model, state }, scores));
      return scores;
    });
    return { method, model: label, scores: mean ? meanLocalizationScores(perModel) : perModel[0]! };
  };
  const methods = config.saliency.methods;
  const trained = methods.map((m) => series(m, 'trained'));
  const randomized = methods.map((m) => series(m, 'fully-randomized'));
  const networkModel = roster.localization[0]!;
  const networkScores = scoreFile(at.localization(networkModel), at, settings);
  rows.push(...localizationRows(at.keys, { method: roster.localizationName, model: networkModel, state: 'trained' }, networkScores));
  const priorScores = scoreFile(at.prior, at, settings, true);
  rows.push(...localizationRows(at.keys, { method: 'average-mask', model: 'train+val', state: 'prior' }, priorScores));
  const result = evaluateUtility(
    {
      imageIds: at.keys,
      trained,
      randomized,
      network: { method: roster.localizationName, model: networkModel, scores: networkScores },
      prior: { method: 'average-mask', model: 'train+val', scores: priorScores },
    },
    settings.utility,
  );
  return { result, verdicts: buildVerdictTable({ utility: result }).verdicts, rows };
}

function pairSsim(fileA: string, fileB: string, at: MapLocator, ssim: MapSsimOptions): { ssim: Float64Array; degenerate: boolean[] } {
  return withReaders([fileA, fileB], at.size, ([a, b]) => {
    const values = new Float64Array(at.keys.length);
    const degenerate: boolean[] = [];
    at.keys.forEach((_, i) => {
      const c = mapSsim(a!.get(i), b!.get(i), ssim);
      values[i] = c.ssim;
      degenerate.push(c.degenerate);
    });
    return { ssim: values, degenerate };
  });
}

/** Randomization: each replicate's per-image SSIM of every state with its original map, against the baseline. */
export function scoreRandomization(config: AuditConfig, settings: CriteriaSettings, at: MapLocator, roster: AuditRoster): ScoreOutput<ReturnType<typeof evaluateRandomization>> {
  const rows: PerImageRow[] = [];
  const inputs: RandomizationInput[] = config.saliency.methods.map((method) => {
    const states = at.states(roster.replicates[0]!).slice(1);
    const replicates = roster.replicates.map((model) => {
      const original = at.classifier(model, 'original', method);
      const ssim = at.states(model).slice(1).map((state) => {
        const s = pairSsim(original, at.classifier(model, state, method), at, settings.ssim);
        rows.push(...ssimRows(at.keys, { criterion: 'randomization', method, model, state }, s.ssim, s.degenerate));
        return s.ssim;
      });
      return { model, ssim };
    });
    const originals = roster.replicates.map((model) => at.classifier(model, 'original', method));
    const baseline = withReaders(originals, at.size, (readers) =>
      randomizationBaseline(
        readers.map((r) => (i: number) => r.get(i)),
        at.keys.length,
        settings.baseline,
        settings.ssim,
      ),
    );
    return { method, imageIds: at.keys, states, replicates, baseline };
  });
  const result = evaluateRandomization(inputs, settings.randomization);
  return { result, verdicts: buildVerdictTable({ randomization: result }).verdicts, rows };
}

/** Repeatability (replicate pairs) or reproducibility (replicate x other-architecture pairs), with the localization networks' replicate SSIM as reference. */
export function scoreConsistency(criterion: ConsistencyCriterion, config: AuditConfig, settings: CriteriaSettings, at: MapLocator, roster: AuditRoster): ScoreOutput<ReturnType<typeof evaluateConsistency>> {
  const rows: PerImageRow[] = [];
  const pairs = criterion === 'repeatability' ? allPairs(roster.replicates) : crossPairs(roster.replicates, roster.others);
  const inputs: ConsistencyInput[] = config.saliency.methods.map((method) => ({
    method,
    pairs: pairs.map(([a, b]) => {
      const s = pairSsim(at.classifier(a, 'original', method), at.classifier(b, 'original', method), at, settings.ssim);
      rows.push(...ssimRows(at.keys, { criterion, method, model: `${a}~${b}`, state: 'trained' }, s.ssim, s.degenerate));
      return { a, b, ssim: s.ssim };
    }),
  }));
  let reference: ConsistencyInput | null = null;
  if (roster.localization.length >= 2) {
    reference = {
      method: roster.localizationName,
      pairs: allPairs(roster.localization).map(([a, b]) => {
        const s = pairSsim(at.localization(a), at.localization(b), at, settings.localizationSsim);
        if (criterion === 'repeatability') rows.push(...ssimRows(at.keys, { criterion, method: roster.localizationName, model: `${a}~${b}`, state: 'trained' }, s.ssim, s.degenerate));
        return { a, b, ssim: s.ssim };
      }),
    };
  }
  const result = evaluateConsistency(criterion, at.keys, inputs, reference, settings.consistency);
  return { result, verdicts: buildVerdictTable({ [criterion]: result }).verdicts, rows };
}
