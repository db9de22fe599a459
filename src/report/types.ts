/**
 * What the report reads. The report layer may not import `criteria/` (layer rule), so these are the
 * structural subsets of the criteria results it uses: `UtilityResult`, `RandomizationResult`,
 * `ConsistencyResult`, `VerdictTable` and `PerImageRow` from `criteria/` are assignable to them as they
 * are (a type test checks this), so the caller passes `results.json`'s objects straight in.
 */
import type { GroundTruth, Map2D } from '../core/types.js';
import type { GrayImage } from '../imaging/overlay.js';

/** A bootstrap interval of a mean. */
export interface IntervalView {
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
}

/** A summary of per-image values (criteria `ScoreSummary`). */
export interface SummaryView {
  readonly n: number;
  readonly excluded: number;
  readonly mean: number;
  readonly median: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  readonly ci: IntervalView | null;
}

/** One hypothesis test (criteria `TestRecord`). */
export interface TestView {
  readonly test: string;
  readonly hypothesis: string;
  readonly n: number;
  readonly estimate: number;
  readonly pValue: number;
  readonly adjustedPValue: number;
  readonly correction: string;
  readonly alpha: number;
  readonly significant: boolean;
}

/** Localization summaries of one series (criteria `LocalizationSummary`; the report shows AUPRC). */
export interface LocalizationSummaryView {
  readonly auprc: SummaryView;
  readonly degenerate: number;
}

/** Utility results (criteria `UtilityResult`). */
export interface UtilityView {
  readonly images: number;
  readonly network: { readonly method: string; readonly model: string; readonly summary: LocalizationSummaryView };
  readonly prior: { readonly method: string; readonly model: string; readonly summary: LocalizationSummaryView } | null;
  readonly methods: readonly {
    readonly method: string;
    readonly model: string;
    readonly trained: LocalizationSummaryView;
    readonly randomized: LocalizationSummaryView | null;
    readonly vsNetwork: TestView;
    readonly vsRandomized: TestView | null;
    readonly vsPrior: TestView | null;
    readonly pass: boolean;
    readonly reason: string;
  }[];
  readonly rule: string;
  readonly ruleText: string;
}

/** One point of a randomization curve (criteria `CurvePoint`). */
export interface CurvePointView {
  readonly state: string;
  readonly mean: number;
  readonly sd: number;
  readonly excluded: number;
}

/** Randomization results (criteria `RandomizationResult`). */
export interface RandomizationView {
  readonly methods: readonly {
    readonly method: string;
    readonly curve: readonly CurvePointView[];
    readonly baseline: { readonly value: number; readonly sd: number; readonly pairs: number; readonly excluded: number; readonly scheme: string };
    readonly paperRule: { readonly pass: boolean; readonly firstStateBelow: string | null; readonly minimumState: string; readonly minimum: number };
    readonly test: TestView;
    readonly testState: string;
    readonly pass: boolean;
    readonly reason: string;
  }[];
  readonly rule: string;
  readonly ruleText: string;
  readonly replicateSd: string;
}

/** Repeatability or reproducibility results (criteria `ConsistencyResult`). */
export interface ConsistencyView {
  readonly criterion: 'repeatability' | 'reproducibility';
  readonly images: number;
  readonly reference: { readonly method: string; readonly summary: SummaryView } | null;
  readonly methods: readonly {
    readonly method: string;
    readonly summary: SummaryView;
    readonly weak: TestView;
    readonly strong: TestView | null;
    readonly weakPass: boolean;
    readonly strongPass: boolean | null;
    readonly pass: boolean | null;
    readonly reason: string;
  }[];
  readonly rule: string;
  readonly ruleText: string;
  readonly threshold: number;
}

/** One cell of the verdict table (criteria `Verdict`). */
export interface VerdictView {
  readonly method: string;
  readonly criterion: string;
  readonly pass: boolean | null;
  readonly rule: string;
  readonly ruleText: string;
  readonly numbers: Readonly<Record<string, number | string | boolean | null>>;
  readonly reason: string;
}

/** The verdict table (criteria `VerdictTable`). */
export interface VerdictTableView {
  readonly methods: readonly string[];
  readonly criteria: readonly string[];
  readonly verdicts: readonly VerdictView[];
  readonly failedAny: readonly string[];
  readonly passedAll: readonly string[];
}

/** One per-image row (criteria `PerImageRow`, a row of `per-image.csv`): the box plots are drawn from these. */
export interface PerImageRowView {
  readonly image: string;
  readonly criterion: string;
  readonly method: string;
  readonly model: string;
  readonly state: string;
  readonly auprc?: number;
  readonly ssim?: number;
}

/** A map with what it shows, for an example grid. */
export interface ExampleMap {
  /** Method id or baseline id (`average-mask`, `unet`, `retinanet`). */
  readonly method: string;
  /** Final map in [0, 1] (NaN = degenerate); any size, resized to the thumbnail. */
  readonly map: Map2D;
  /** The map's AUPRC against the ground truth, shown in its caption. */
  readonly auprc?: number;
}

/** Figure 2C/D: one image, its ground truth, and each method's map. */
export interface UtilityExample {
  /** Pseudonymous image key (as in `per-image.csv`), never a patient identifier. */
  readonly id: string;
  readonly image: GrayImage;
  readonly truth: GroundTruth;
  readonly maps: readonly ExampleMap[];
}

/** Figure 3B: one method's map on one image at successive randomization states. */
export interface DegradationExample {
  readonly id: string;
  readonly image: GrayImage;
  readonly method: string;
  readonly states: readonly { readonly state: string; readonly map: Map2D }[];
}

/** Figure 4C/D: rows of models (replicate 1, replicate 2, other architecture), columns of methods. */
export interface ConsistencyExample {
  readonly id: string;
  readonly image: GrayImage;
  readonly rows: readonly { readonly model: string; readonly maps: readonly ExampleMap[] }[];
}

/** A model card, as a flat record of what the audit knows about the model. */
export type ModelCardView = Readonly<Record<string, string | number | boolean | null>>;

/** Where the results came from: everything a reader needs to re-run or check them. */
export interface ProvenanceView {
  readonly tool: { readonly name: string; readonly version: string };
  readonly preset: string;
  /** Full path of the config file the audit ran from; null when there was none (the demo, a library call). */
  readonly configFile?: string | null;
  /** Every resolved option (the resolved config); flattened to dotted paths in the report. */
  readonly config: unknown;
  /** Where each option came from, by dotted path (e.g. `preset arun2021`, `config.json`). */
  readonly sources?: Readonly<Record<string, string>>;
  readonly seeds?: Readonly<Record<string, number>>;
  /** Versions of runtimes and libraries (node, onnxruntime, ...). */
  readonly versions?: Readonly<Record<string, string>>;
  readonly models?: readonly ModelCardView[];
  /** Dataset summary (name, split, counts); no patient identifiers. */
  readonly dataset?: Readonly<Record<string, string | number | boolean | null>>;
  /** Input hashes (dataset, models, maps). */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly warnings?: readonly string[];
  /** A time stamp to show; omitted by default so the same results give the same bytes. */
  readonly generatedAt?: string;
}

/** Caps that keep the report small; defaults in `reportLimitDefaults`. */
export interface ReportLimits {
  /** Figure 2C/D examples shown. */
  readonly utilityExamples: number;
  /** Figure 3B examples shown. */
  readonly degradationExamples: number;
  /** Figure 4C/D examples shown. */
  readonly consistencyExamples: number;
  /** Maps per example row (columns beyond it are dropped and counted). */
  readonly mapsPerRow: number;
  /** Longest side of a thumbnail, in pixels. */
  readonly thumbnailSize: number;
  /** Thumbnail encoding: `jpeg` (small) or `png` (lossless). */
  readonly thumbnailFormat: 'jpeg' | 'png';
  /** JPEG quality 1-100. */
  readonly jpegQuality: number;
  /** Warnings listed (the rest are counted). */
  readonly warnings: number;
}

/** Everything `renderReport` and `renderMarkdownSummary` read. */
export interface ReportInput {
  /** Shown in the title, e.g. the dataset name. */
  readonly title?: string;
  readonly verdicts: VerdictTableView;
  readonly utility?: UtilityView;
  readonly randomization?: RandomizationView;
  readonly repeatability?: ConsistencyView;
  readonly reproducibility?: ConsistencyView;
  /** Rows of `per-image.csv` for the box plots (without them the report shows tables only). */
  readonly perImage?: readonly PerImageRowView[];
  readonly examples?: {
    readonly utility?: readonly UtilityExample[];
    readonly degradation?: readonly DegradationExample[];
    readonly consistency?: readonly ConsistencyExample[];
  };
  readonly provenance: ProvenanceView;
  readonly limits?: Partial<ReportLimits>;
  /** Overlay colormap; default `plasma` (the paper's). */
  readonly colormap?: 'plasma' | 'viridis' | 'gray';
}
