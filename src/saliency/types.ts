/**
 * The one signature every saliency method shares (PAIR `saliency` core, Captum): a method is a function
 * `(model, batch, options) -> maps` carrying an `info` record and its raw `attribute` step, so wrappers
 * (`smooth`) and combinations (Guided Grad-CAM) compose methods without re-running post-processing.
 */
import type { Batch } from '../core/batch.js';
import type { ExplainableModel, Map2D, ProgressReporter, SaliencyMap } from '../core/types.js';
import type { PostprocessOptions } from '../imaging/postprocess.js';

/** Ids of the eight methods of Arun et al. 2021. */
export type SaliencyMethodId =
  | 'gradient'
  | 'smoothgrad'
  | 'integrated-gradients'
  | 'smooth-ig'
  | 'grad-cam'
  | 'guided-backprop'
  | 'guided-grad-cam'
  | 'xrai';

/** The model passes a method calls (PAIR's `expected_keys`). */
export type ModelCapability = 'predict' | 'inputGradients' | 'layerGradients' | 'guidedGradients';

/** Which class each image is explained for: the predicted class (the paper), one class, or one per image. */
export type SaliencyTarget = 'predicted' | number | readonly number[];

/** How the final map is made from the raw one: the paper's grayscale pipeline, or min-max only. */
export type FinalizeKind = 'grayscale' | 'minmax';

/** Options every method accepts besides its own. */
export interface SaliencyCommonOptions {
  /** Class to explain (default `'predicted'`: argmax of the logits, as the paper). */
  readonly target?: SaliencyTarget;
  /**
   * Most inputs per model call (default 32). IG steps, noise samples and images are packed together up
   * to this many; the engine splits further to fit its memory budget.
   */
  readonly batchSize?: number;
  /**
   * Post-processing of the final map (default: the paper's pipeline, `postprocessPresets.arun2021`: abs,
   * channel sum, clip at the 99th percentile, min-max; degenerate maps become NaN). Guided Grad-CAM
   * only applies the min-max and degenerate policy to its product of two post-processed maps.
   */
  readonly postprocess?: PostprocessOptions;
  /** Called as model passes complete. */
  readonly onProgress?: ProgressReporter;
}

/** Static description of a method: id, name, paper, needed model passes and default options. */
export interface SaliencyMethodInfo<O extends object> {
  readonly id: string;
  readonly name: string;
  /** Where the method is defined. */
  readonly paper: string;
  readonly needs: readonly ModelCapability[];
  readonly defaults: Readonly<O>;
  /** Post-processing from raw to final map. */
  readonly finalize: FinalizeKind;
  /** True when the method draws noise (its maps depend on `seed`). */
  readonly stochastic: boolean;
  /**
   * True when the method's first model pass runs on the images themselves (not noisy copies or path
   * points), so the predicted class can be taken from that pass's own logits instead of a forward pass
   * first; later passes reuse it.
   */
  readonly targetFromFirstPass?: boolean;
}

/** What the raw `attribute` step of a method receives. */
export interface SaliencyAttributionRequest<O extends object> {
  readonly model: ExplainableModel;
  /** N images (or noisy copies of them), NCHW at the model's input size. */
  readonly batch: Batch;
  /**
   * One class per row of `batch`. With `predictInPass` it is still to be filled: each pass asks the model
   * for `'predicted'` and writes the classes it explained here.
   */
  readonly targets: Int32Array;
  readonly predictInPass?: boolean;
  /** Resolved options (defaults filled in). */
  readonly options: Readonly<O>;
  readonly batchSize: number;
  /** The clean image behind each row of `batch` (the same batch unless a wrapper added noise). */
  readonly reference: Batch;
  /** Reports `units` more model inputs processed. */
  readonly progress: (units: number) => void;
}

/** Extra outputs of a method for one image (Grad-CAM's low-res map, XRAI's segments and IG). */
export type SaliencyMapDetails = Readonly<Record<string, Batch | Map2D | Int32Array | Float32Array | string | number>>;

/** The raw attribution of a batch: N x C' x H x W (C' = C for gradients, 1 for 2-D maps). */
export interface SaliencyAttribution {
  readonly maps: Batch;
  readonly details?: readonly (SaliencyMapDetails | undefined)[];
}

/** A `SaliencyMap` with the method's optional extra outputs. */
export interface SaliencyResult extends SaliencyMap {
  readonly details?: SaliencyMapDetails;
}

/** The options a method's function accepts: its own (all optional) plus the common ones. */
export type SaliencyMethodOptions<O extends object> = Partial<O> & SaliencyCommonOptions;

/** A saliency method: call it on a model and a batch; it carries its `info` and raw `attribute` step. */
export interface SaliencyMethod<O extends object> {
  (model: ExplainableModel, batch: Batch, options?: SaliencyMethodOptions<O>): Promise<SaliencyResult[]>;
  readonly info: SaliencyMethodInfo<O>;
  /** The raw step, without target resolution or post-processing, for wrappers to compose. */
  readonly attribute: (request: SaliencyAttributionRequest<O>) => Promise<SaliencyAttribution>;
  /** Validates and fills in options (throws a `UsageError` naming the bad option). */
  readonly resolve: (options: Partial<O>) => O;
  /** The call with hooks for suites: precomputed targets, or a raw step reusing other methods' maps. */
  readonly run: (
    model: ExplainableModel,
    batch: Batch,
    options?: SaliencyMethodOptions<O>,
    hooks?: SaliencyRunHooks<O>,
  ) => Promise<SaliencyResult[]>;
}

/** What a suite can hand a method run: targets already resolved, or a raw step reusing other results. */
export interface SaliencyRunHooks<O extends object> {
  readonly targets?: Int32Array;
  readonly attribute?: (request: SaliencyAttributionRequest<O>) => Promise<SaliencyAttribution>;
}
